"""Sessions: list a tenant's live sessions and end them, publishing a revocation event each time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session

from pulse.backend import events
from pulse.core.db.models import User, UserSession
from pulse.core.errors import NotFound


def _live(now: ColumnElement[datetime] | None = None) -> ColumnElement[bool]:
    return and_(UserSession.active, UserSession.expires_at > (now if now is not None else func.now()))


def end(
    *,
    db_session: Session,
    reason: str,
    client_id: int,
    user_id: int | None = None,
    session_ids: list[uuid.UUID] | None = None,
    keep: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """End the tenant's active sessions that match (one user, given ids, all but `keep`); NOTIFY their ids."""
    where = [UserSession.client_id == client_id, UserSession.active]
    if user_id is not None:
        where.append(UserSession.user_id == user_id)
    if session_ids is not None:
        where.append(UserSession.id.in_(session_ids))
    if keep is not None:
        where.append(UserSession.id != keep)
    ended = list(
        db_session.scalars(
            update(UserSession)
            .where(*where)
            .values(active=False, ended_at=func.now(), end_reason=reason, last_updated_at=func.now())
            .returning(UserSession.id)
            .execution_options(synchronize_session=False)
        ).all()
    )
    if ended:
        events.publish(
            db_session=db_session, kind="sessions_revoked", session_ids=ended, user_id=user_id, client_id=client_id
        )
    return ended


def get(*, db_session: Session, client_id: int, session_id: uuid.UUID) -> UserSession:
    """A session of the tenant (any state), or NotFound."""
    row = db_session.scalar(select(UserSession).where(UserSession.id == session_id, UserSession.client_id == client_id))
    if row is None:
        raise NotFound("session not found")
    return row


def list_active(
    *, db_session: Session, client_id: int, limit: int, offset: int
) -> tuple[list[tuple[UserSession, str]], int]:
    """The tenant's live sessions with their user's email, newest first, and the total."""
    where = [UserSession.client_id == client_id, _live()]
    total = db_session.scalar(select(func.count()).select_from(UserSession).where(*where)) or 0
    rows = db_session.execute(
        select(UserSession, User.email)
        .join(User, User.id == UserSession.user_id)
        .where(*where)
        .order_by(UserSession.created_at.desc(), UserSession.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(s, e) for s, e in rows], total
