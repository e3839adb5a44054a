"""Revocation events: `NOTIFY` on the auth channel inside the transaction that changes access.

PostgreSQL delivers a notification only when its transaction commits, so listeners never hear about a
change that was rolled back, and never miss one that was committed. The process that commits the change
also applies it to its own cache at once (`evict_on_commit`), before it answers: a logout is followed by a
401 on the same Backend without waiting for the notification to come round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from pulse.core.auth_cache import RevocableCache
from pulse.core.auth_events import CHANNEL, AuthEvent, EventKind

_PENDING = "pulse_auth_events"  # key in Session.info: the events of the open transaction

# A UUID costs 39 bytes in the JSON list; 150 of them stay well under PostgreSQL's 8000-byte payload cap.
_IDS_PER_EVENT = 150


def publish(
    *,
    db_session: Session,
    kind: EventKind,
    session_ids: Sequence[object] = (),
    user_id: int | None = None,
    client_id: int | None = None,
) -> None:
    """Queue an auth event on the current transaction (batched so each payload fits)."""
    ids = [str(s) for s in session_ids]
    batches = [ids[i : i + _IDS_PER_EVENT] for i in range(0, len(ids), _IDS_PER_EVENT)] or [[]]
    for batch in batches:
        auth_event = AuthEvent(kind=kind, session_ids=batch, user_id=user_id, client_id=client_id)
        db_session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": auth_event.to_payload()}
        )
        db_session.info.setdefault(_PENDING, []).append(auth_event)


def evict_on_commit(factory: sessionmaker[Session], cache: RevocableCache[Any]) -> None:
    """Apply the events of every transaction the factory's sessions commit to this process's cache."""

    @event.listens_for(factory, "after_commit")
    def _committed(db_session: Session) -> None:
        for auth_event in db_session.info.pop(_PENDING, []):
            cache.evict(auth_event)

    @event.listens_for(factory, "after_rollback")
    def _rolled_back(db_session: Session) -> None:
        db_session.info.pop(_PENDING, None)
