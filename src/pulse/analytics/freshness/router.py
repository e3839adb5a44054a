"""`GET /api/v1/metrics/freshness`: whether the tenant's metric facts wait for a rebuild (the web app polls it)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from pulse.analytics.freshness import service as freshness_service
from pulse.analytics.freshness.schemas import FreshnessRead
from pulse.etl.deps import CurrentPrincipal, DbSession, require

router = APIRouter(prefix="/metrics/freshness", tags=["metrics"])


@router.get("", response_model=FreshnessRead, dependencies=[require("dashboards", "read")])
def metrics_freshness(principal: CurrentPrincipal, db_session: DbSession) -> Any:
    """When the facts were built and whether a rebuild is pending (a pending one is made sure to be queued)."""
    return asdict(freshness_service.ensure_fresh(db_session=db_session, client_id=principal.client_id))
