"""Audit events: record auth and admin actions; list a tenant's trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pulse.core.db.models import AuditEvent


def record(
    *,
    db_session: Session,
    event_type: str,
    client_id: int | None,
    user_id: int | None = None,
    actor_email: str | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (never pass secrets in `details`)."""
    event = AuditEvent(
        event_type=event_type,
        client_id=client_id,
        user_id=user_id,
        actor_email=actor_email,
        ip_address=ip_address,
        user_agent=user_agent,
        request_id=request_id,
        details=details or {},
    )
    db_session.add(event)
    return event


def list_events(
    *, db_session: Session, client_id: int, limit: int, offset: int, event_type: str | None = None
) -> tuple[list[AuditEvent], int]:
    """A tenant's events, newest first, with the total count."""
    where = [AuditEvent.client_id == client_id]
    if event_type:
        where.append(AuditEvent.event_type == event_type)
    total = db_session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    rows = db_session.scalars(
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total
