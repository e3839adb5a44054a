"""`/api/v1/metrics/pull-requests`: PR analytics, its trend and the PRs behind it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pulse.analytics.dependencies import DrillListing, Granularity, MetricScope
from pulse.analytics.freshness.service import with_freshness
from pulse.analytics.pull_requests import service as pr_service
from pulse.analytics.pull_requests.schemas import PullRequestItemPage, PullRequestSummary, PullRequestTrend
from pulse.analytics.responses import drilldown
from pulse.etl.deps import DbSession, require

router = APIRouter(prefix="/metrics/pull-requests", tags=["metrics"])
READ = [require("dashboards", "read")]


@router.get("", response_model=PullRequestSummary, dependencies=READ)
def pull_request_summary(scope: MetricScope, db_session: DbSession) -> dict[str, Any]:
    """Median cycle time by stage, throughput, size, review depth and rework of the PRs merged in the period."""
    answer = pr_service.summary(db_session=db_session, period=scope.period, filters=scope.filters)
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


@router.get("/trend", response_model=PullRequestTrend, dependencies=READ)
def pull_request_trend(scope: MetricScope, granularity: Granularity, db_session: DbSession) -> dict[str, Any]:
    """The same figures per week or month of merge."""
    answer = pr_service.trend(
        db_session=db_session, period=scope.period, filters=scope.filters, granularity=granularity
    )
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


@router.get(
    "/items", response_model=PullRequestItemPage, dependencies=READ, responses={200: {"content": {"text/csv": {}}}}
)
def pull_request_items(scope: MetricScope, listing: DrillListing, db_session: DbSession) -> Any:
    """The merged PRs behind the figures (`format=csv` exports them all)."""
    return drilldown(
        db_session=db_session,
        scope=scope,
        listing=listing,
        page=pr_service.items_page,
        export=pr_service.items_csv,
        name="pull-requests",
    )
