"""The `pulse` command: one entry point for every process and admin task."""

from __future__ import annotations

import typer

from pulse import __version__
from pulse.cli import backend_command, db_commands, etl_commands, metrics_commands, tenant_commands, up_command
from pulse.core.config import get_settings
from pulse.core.logging import configure_logging

app = typer.Typer(
    name="pulse",
    help="Pulse: DORA metrics and engineering analytics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(tenant_commands.client_app, name="client")
app.add_typer(tenant_commands.user_app, name="user")
app.add_typer(metrics_commands.app, name="metrics")
app.command("up")(up_command.up)
app.command("backend")(backend_command.backend)
app.command("web")(up_command.web)
app.command("sim", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(up_command.sim)
etl_commands.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pulse {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Pulse: engineering intelligence from GitHub and Jira."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
