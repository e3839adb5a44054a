"""Every router of the ETL Service, mounted under `/api/v1` (add one `include_router` line per domain)."""

from __future__ import annotations

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")
