"""Every router of the ETL Service, mounted under `/api/v1` (add one `include_router` line per domain)."""

from __future__ import annotations

from fastapi import APIRouter

from pulse.etl.data.router import router as data_router
from pulse.etl.integrations.router import router as integrations_router
from pulse.etl.jobs.router import router as jobs_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(integrations_router)
api_router.include_router(jobs_router)
api_router.include_router(data_router)
