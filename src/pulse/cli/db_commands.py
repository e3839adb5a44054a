"""`pulse db ...`: the migration runner."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from pulse.cli.context import console, database_url, handled, out
from pulse.core.db.migrations import MigrationRunner, default_migrations_dir, new_migration

app = typer.Typer(help="Database migrations (raw SQL steps in migrations/).", no_args_is_help=True)


def _runner() -> MigrationRunner:
    return MigrationRunner(database_url(), progress=lambda message: console.print(f"  {message}"))


@app.command()
@handled
def status() -> None:
    """Show each migration step and whether it is applied."""
    table = Table("version", "name", "applied at", "state")
    for row in _runner().status():
        if row.applied_at is None:
            state = "[yellow]pending[/]"
        elif row.checksum_matches:
            state = "[green]applied[/]"
        else:
            state = "[red]edited or missing after apply[/]"
        table.add_row(f"{row.version:04d}", row.name, str(row.applied_at or ""), state)
    out.print(table)


@app.command()
@handled
def apply() -> None:
    """Apply every pending migration."""
    applied = _runner().apply()
    out.print(f"applied {len(applied)} migration(s)" if applied else "database is up to date")


@app.command()
@handled
def rollback(
    to: int = typer.Option(..., "--to", help="Roll back every step above this version (0 = all)."),
) -> None:
    """Roll back applied migrations down to version N."""
    done = _runner().rollback(to)
    out.print(f"rolled back {len(done)} migration(s)")


@app.command()
@handled
def new(
    name: str,
    directory: Path = typer.Option(None, "--dir", help="Migrations folder (default: the repository's)."),
) -> None:
    """Create the next-numbered empty up/down SQL pair."""
    up, down = new_migration(directory or default_migrations_dir(), name)
    out.print(f"created {up}\ncreated {down}")
