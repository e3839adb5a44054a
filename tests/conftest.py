"""Shared fixtures: a real PostgreSQL, a migrated database per test session, clean tables per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.db.embedded import stop_embedded
from pulse.core.db.engine import make_engine, session_factory
from pulse.core.db.migrations import MigrationRunner
from tests.pg import TestServer

# Tests never read a developer's .env or data directory.
os.environ.setdefault("PULSE_LOG_FORMAT", "json")

KEEP_TABLES = {"migration_history"}


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    """The PostgreSQL server every test database lives on."""
    # Not under pytest's basetemp: every pytest session that starts meanwhile (another worktree, another suite)
    # takes group and other access off /tmp/pytest-of-<user>, which would lock the embedded server, running as
    # its own system user when we are root, out of its data directory mid-run.
    scratch = Path(tempfile.mkdtemp(prefix="pulse-test-pg-"))
    server = TestServer.start(scratch)
    yield server
    if server.server_handle is not None:
        stop_embedded(scratch)
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(pg_server: TestServer) -> Iterator[str]:
    """A database migrated to the latest schema, shared by the session's tests."""
    url = pg_server.create_database()
    MigrationRunner(url).apply()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def fresh_database_url(pg_server: TestServer) -> Iterator[str]:
    """An empty database of the test's own."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def truncate_all(engine: Engine) -> None:
    """Empty every Pulse table (identity restarts), leaving the migration record."""
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> ALL(:keep)"),
                {"keep": list(KEEP_TABLES)},
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(f'{t}' for t in tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clean_engine(engine: Engine) -> Engine:
    """The migrated database with every table emptied before the test."""
    truncate_all(engine)
    return engine


@pytest.fixture
def db_session(clean_engine: Engine) -> Iterator[Session]:
    """A session on clean tables; the test commits what it wants visible to other connections."""
    session = session_factory(clean_engine)()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a test: a private data dir, the test database, fixed strong secrets."""
    return Settings(
        DATABASE_URL=database_url,
        PULSE_DATA_DIR=tmp_path / "data",
        JWT_SECRET_KEY="test-" + "k" * 48,
        PULSE_ENCRYPTION_KEY="ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        PULSE_PASSWORD_ITERATIONS=100_000,
    )
