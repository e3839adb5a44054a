"""The tenant's audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pulse.backend.audit import schemas
from pulse.backend.audit import service as audit_service
from pulse.backend.deps import CurrentPrincipal, DbSession, require
from pulse.backend.schemas import Text

router = APIRouter(prefix="/admin", tags=["audit"])


@router.get("/audit", response_model=schemas.AuditPage, dependencies=[require("admin_panel", "read")])
def list_audit(
    principal: CurrentPrincipal,
    db_session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    event_type: Annotated[Text | None, Query(max_length=100)] = None,
) -> schemas.AuditPage:
    """The tenant's auth and admin events, newest first."""
    rows, total = audit_service.list_events(
        db_session=db_session, client_id=principal.client_id, limit=limit, offset=offset, event_type=event_type
    )
    return schemas.AuditPage(items=[schemas.AuditEventRead.model_validate(r) for r in rows], total=total)
