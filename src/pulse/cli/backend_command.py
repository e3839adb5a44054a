"""`pulse backend`: the Backend Service alone."""

from __future__ import annotations

import typer
import uvicorn

from pulse.cli.context import EXIT_CONFIG, fail, handled, settings
from pulse.core.config import ConfigError


@handled
def backend(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(3001, "--port", help="Port to listen on."),
) -> None:
    """Run the Backend Service (identity, sessions, permissions) on HOST:PORT."""
    current = settings()
    try:
        current.check_secrets()
    except ConfigError as exc:
        fail(f"the Backend Service cannot start: {exc}", EXIT_CONFIG)
    uvicorn.run(
        "pulse.backend.main:create_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
    )
