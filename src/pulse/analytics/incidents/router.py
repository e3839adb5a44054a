"""`GET /api/v1/incidents`: incidents from every source, by the tenant's incident rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from pulse.analytics.freshness.service import with_freshness
from pulse.analytics.incidents import service as incident_service
from pulse.analytics.incidents.schemas import IncidentPage
from pulse.etl.deps import CurrentPrincipal, DbSession, PageParams, require

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=IncidentPage, dependencies=[require("dashboards", "read")])
def list_incidents(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: PageParams,
    source: Annotated[str | None, Query(pattern="^(github|gitlab|jira|pagerduty|opsgenie|push)$")] = None,
    state: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    repository_id: Annotated[int | None, Query(ge=1)] = None,
    team_id: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """Incidents of every source (GitHub, Jira, PagerDuty, Opsgenie, push), newest first, with their deployment."""
    answer = incident_service.list_(
        db_session=db_session,
        client_id=principal.client_id,
        source=source,
        state=state,
        repository_id=repository_id,
        team_id=team_id,
        limit=page.limit,
        offset=page.offset,
    )
    return with_freshness(db_session=db_session, client_id=principal.client_id, answer=answer)
