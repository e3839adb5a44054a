"""Every router of the ETL Service, mounted under `/api/v1` (add one `include_router` line per domain)."""

from __future__ import annotations

from fastapi import APIRouter

from pulse.analytics.config.router import router as settings_router
from pulse.analytics.dora.router import router as dora_router
from pulse.analytics.flow.router import router as flow_router
from pulse.analytics.freshness.router import router as freshness_router
from pulse.analytics.incidents.router import router as incidents_router
from pulse.analytics.pull_requests.router import router as pull_request_metrics_router
from pulse.etl.data.router import router as data_router
from pulse.etl.integrations.router import router as integrations_router
from pulse.etl.jobs.router import router as jobs_router
from pulse.etl.push.router import router as push_router
from pulse.etl.push.router import token_router as push_token_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(integrations_router)
api_router.include_router(jobs_router)
api_router.include_router(data_router)
api_router.include_router(dora_router)
api_router.include_router(pull_request_metrics_router)
api_router.include_router(flow_router)
api_router.include_router(incidents_router)
api_router.include_router(freshness_router)
api_router.include_router(settings_router)
api_router.include_router(push_token_router)
api_router.include_router(push_router)
