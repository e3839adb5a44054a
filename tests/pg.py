"""Test databases on a real PostgreSQL: `DATABASE_URL`'s server when set, else an embedded one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from pulse.core.db.embedded import socket_dir_of, start_embedded


class TestServer:
    """A PostgreSQL server on which tests create and drop throwaway databases."""

    def __init__(self, admin_url: str, server_handle: object | None = None):
        self.admin_url = admin_url
        self.server_handle = server_handle  # keeps the embedded server alive while tests run

    @classmethod
    def start(cls, scratch: Path) -> TestServer:
        """Use DATABASE_URL's server, or start an embedded one in a scratch directory."""
        external = os.environ.get("DATABASE_URL")
        if external:
            url = make_url(external).set(drivername="postgresql", database="postgres")
            return cls(url.render_as_string(hide_password=False))
        handle = start_embedded(scratch)
        return cls(f"postgresql://postgres@/postgres?host={socket_dir_of(handle)}", handle)

    def create_database(self, prefix: str = "pulse_test") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, kicking out stray connections."""
        name = make_url(url).database
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
