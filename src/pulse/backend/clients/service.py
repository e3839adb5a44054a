"""Tenants: create and look up."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pulse.backend import events
from pulse.backend.sessions import service as session_service
from pulse.core.db.models import Client
from pulse.core.errors import Conflict, InvalidInput, NotFound


def create(*, db_session: Session, name: str) -> Client:
    """Create a tenant with a unique (case-insensitive) name."""
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise InvalidInput("name must be 1 to 200 characters", field="name")
    if db_session.scalar(select(Client.id).where(func.lower(Client.name) == clean.lower())) is not None:
        raise Conflict(f"a client named {clean!r} already exists", field="name")
    client = Client(name=clean)
    db_session.add(client)
    db_session.flush()
    return client


def get(*, db_session: Session, client_id: int) -> Client:
    """The tenant with this id, or NotFound."""
    client = db_session.get(Client, client_id)
    if client is None:
        raise NotFound(f"client {client_id} does not exist", field="client_id")
    return client


def deactivate(*, db_session: Session, client_id: int) -> list[str]:
    """Deactivate a tenant and end all its sessions in the same transaction; returns the ended session ids."""
    client = get(db_session=db_session, client_id=client_id)
    client.active = False
    ended = session_service.end(db_session=db_session, reason="client_deactivated", client_id=client_id)
    events.publish(db_session=db_session, kind="client_changed", client_id=client_id)
    db_session.flush()
    return [str(s) for s in ended]
