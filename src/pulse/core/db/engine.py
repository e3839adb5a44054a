"""Database URLs, the SQLAlchemy engine and the unit-of-work session for both services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pulse.core.config import Settings, get_settings
from pulse.core.db.embedded import embedded_url


def libpq_url(settings: Settings) -> str:
    """A plain `postgresql://` URL: the configured one, or the embedded server's (started on demand)."""
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError("DATABASE_URL must be a postgresql:// URL (Pulse runs on PostgreSQL 15+ only)")
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    return embedded_url(settings.data_dir)


def sqlalchemy_url(url: str) -> str:
    """The same URL with the psycopg 3 driver named, as SQLAlchemy wants it."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


# psycopg prepares a statement on the server after its fifth run on a connection, and PostgreSQL may then
# switch to a generic plan, made without the parameter values. Pulse's queries are scoped to one tenant and a
# time window of very different sizes, where a generic plan can read every tenant's rows: one metrics page
# took 55 s instead of 45 ms on a database of 200 tenants. Every statement is planned for its own values.
SESSION_OPTIONS = "-c timezone=UTC -c plan_cache_mode=force_custom_plan"


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10, **kwargs: Any) -> Engine:
    """An engine on psycopg 3 with pre-ping, every session in UTC and every statement planned for its values."""
    engine = create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args={"options": SESSION_OPTIONS, "connect_timeout": 5},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _utc(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.execute("SET TIME ZONE 'UTC'")

    return engine


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine built from settings."""
    settings = get_settings()
    return make_engine(libpq_url(settings), pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """Run a block as one transaction on `session`: commit on success, roll back on any error, then close."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction on a new session: commit on success, roll back on any error."""
    with committing(session_factory(engine or get_engine())()) as session:
        yield session
