"""Session administration routes (tenant-scoped)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from pulse.backend.deps import CurrentPrincipal, DbSession, Meta, require
from pulse.backend.sessions import schemas
from pulse.backend.sessions import service as session_service
from pulse.backend.users import admin

router = APIRouter(prefix="/admin", tags=["sessions"])


@router.get("/sessions", response_model=schemas.SessionPage, dependencies=[require("sessions", "read")])
def list_sessions(
    principal: CurrentPrincipal,
    db_session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> schemas.SessionPage:
    """The tenant's live sessions, newest first, each marked `is_current` or not."""
    rows, total = session_service.list_active(
        db_session=db_session, client_id=principal.client_id, limit=limit, offset=offset
    )
    items = [
        schemas.SessionRead(
            id=s.id,
            user_id=s.user_id,
            user_email=email,
            created_at=s.created_at,
            last_activity_at=s.last_activity_at,
            expires_at=s.expires_at,
            ip_address=s.ip_address,
            user_agent=s.user_agent,
            is_current=s.id == principal.session_id,
        )
        for s, email in rows
    ]
    return schemas.SessionPage(items=items, total=total)


@router.delete(
    "/sessions/{session_id}", response_model=schemas.SessionEnded, dependencies=[require("sessions", "delete")]
)
def terminate_session(
    session_id: uuid.UUID, principal: CurrentPrincipal, db_session: DbSession, meta: Meta
) -> schemas.SessionEnded:
    """Terminate one session of the tenant."""
    admin.end_session(db_session=db_session, actor=principal, meta=meta, session_id=session_id)
    return schemas.SessionEnded(session_id=session_id)
