"""Factories for rows tests need; each commits so other connections (services, workers) see it."""

from __future__ import annotations

import itertools

from sqlalchemy import Engine

from pulse.backend.clients import service as client_service
from pulse.backend.users import service as user_service
from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_client(engine: Engine, name: str | None = None) -> int:
    """Create a tenant; returns its id."""
    with unit_of_work(engine) as db_session:
        return client_service.create(db_session=db_session, name=name or f"Tenant {next(_counter)}").id


def make_user(
    engine: Engine,
    settings: Settings,
    *,
    client_id: int,
    role: str = "user",
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> int:
    """Create a user; returns its id."""
    with unit_of_work(engine) as db_session:
        return user_service.create(
            db_session=db_session,
            settings=settings,
            client_id=client_id,
            email=email or f"{role}{next(_counter)}@example.com",
            password=password,
            role=role,
        ).id
