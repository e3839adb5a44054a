"""`/api/v1/metrics/flow`: Jira flow metrics, their trend and the items behind them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pulse.analytics.dependencies import DrillListing, Granularity, MetricScope
from pulse.analytics.flow import service as flow_service
from pulse.analytics.flow.schemas import FlowItemPage, FlowSummary, FlowTrend
from pulse.analytics.freshness.service import with_freshness
from pulse.analytics.responses import drilldown
from pulse.etl.deps import DbSession, require

router = APIRouter(prefix="/metrics/flow", tags=["metrics"])
READ = [require("dashboards", "read")]


@router.get("", response_model=FlowSummary, dependencies=READ)
def flow_summary(scope: MetricScope, db_session: DbSession) -> dict[str, Any]:
    """Cycle and lead time, throughput, WIP, time in each step, flow efficiency and reopen rate."""
    answer = flow_service.summary(db_session=db_session, period=scope.period, filters=scope.filters)
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


@router.get("/trend", response_model=FlowTrend, dependencies=READ)
def flow_trend(scope: MetricScope, granularity: Granularity, db_session: DbSession) -> dict[str, Any]:
    """The flow figures per week or month of completion."""
    answer = flow_service.trend(
        db_session=db_session, period=scope.period, filters=scope.filters, granularity=granularity
    )
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=answer)


@router.get("/items", response_model=FlowItemPage, dependencies=READ, responses={200: {"content": {"text/csv": {}}}})
def flow_items(scope: MetricScope, listing: DrillListing, db_session: DbSession) -> Any:
    """The completed work items behind the figures (`format=csv` exports them all)."""
    return drilldown(
        db_session=db_session,
        scope=scope,
        listing=listing,
        page=flow_service.items_page,
        export=flow_service.items_csv,
        name="flow-items",
    )
