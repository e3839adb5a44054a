"""`/api/v1/metrics/dora`: the four keys, their trend, and the drill-downs behind each number."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from pulse.analytics.dependencies import DrillListing, Granularity, MetricScope
from pulse.analytics.dora import service as dora_service
from pulse.analytics.dora.schemas import (
    ChangeItemPage,
    DeploymentItemPage,
    DoraSummary,
    DoraTrend,
    IncidentItemPage,
)
from pulse.analytics.freshness.service import with_freshness
from pulse.analytics.responses import drilldown
from pulse.etl.deps import DbSession, require

router = APIRouter(prefix="/metrics/dora", tags=["metrics"])
READ = [require("dashboards", "read")]


@router.get("", response_model=DoraSummary, dependencies=READ)
def dora_summary(scope: MetricScope, db_session: DbSession) -> dict[str, Any]:
    """Deployment frequency, lead time, change failure rate, recovery time and time to restore."""
    answer = dora_service.summary(db_session=db_session, period=scope.period, filters=scope.filters)
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


@router.get("/trend", response_model=DoraTrend, dependencies=READ)
def dora_trend(scope: MetricScope, granularity: Granularity, db_session: DbSession) -> dict[str, Any]:
    """The same metrics per week or month; every period present, empty ones with zeros and nulls."""
    answer = dora_service.trend(
        db_session=db_session, period=scope.period, filters=scope.filters, granularity=granularity
    )
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


def _drill(kind: str, scope: MetricScope, listing: DrillListing, db_session: DbSession) -> Any:
    return drilldown(
        db_session=db_session,
        scope=scope,
        listing=listing,
        page=partial(dora_service.drill_page, kind=kind),
        export=partial(dora_service.drill_csv, kind=kind),
        name=f"dora-{kind}",
    )


@router.get(
    "/deployments",
    response_model=DeploymentItemPage,
    dependencies=READ,
    responses={200: {"content": {"text/csv": {}}}},
)
def dora_deployments(scope: MetricScope, listing: DrillListing, db_session: DbSession) -> StreamingResponse | Any:
    """The production deployments counted in the period, with their changes and incidents."""
    return _drill("deployments", scope, listing, db_session)


@router.get(
    "/changes", response_model=ChangeItemPage, dependencies=READ, responses={200: {"content": {"text/csv": {}}}}
)
def dora_changes(scope: MetricScope, listing: DrillListing, db_session: DbSession) -> StreamingResponse | Any:
    """The changes (pull requests) behind the lead time, with each stage's duration."""
    return _drill("changes", scope, listing, db_session)


@router.get(
    "/incidents", response_model=IncidentItemPage, dependencies=READ, responses={200: {"content": {"text/csv": {}}}}
)
def dora_incidents(scope: MetricScope, listing: DrillListing, db_session: DbSession) -> StreamingResponse | Any:
    """The incidents behind the change failure rate, recovery time and time to restore."""
    return _drill("incidents", scope, listing, db_session)
