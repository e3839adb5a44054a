"""Revocation events: `NOTIFY` on the auth channel inside the transaction that changes access.

PostgreSQL delivers a notification only when its transaction commits, so listeners never hear about a
change that was rolled back, and never miss one that was committed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.core.auth_events import CHANNEL, AuthEvent, EventKind

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
        payload = AuthEvent(kind=kind, session_ids=batch, user_id=user_id, client_id=client_id).to_payload()
        db_session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})
