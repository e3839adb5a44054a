"""Mounts every Backend router under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from pulse.backend.audit.router import router as audit_router
from pulse.backend.auth.router import router as auth_router
from pulse.backend.sessions.router import router as sessions_router
from pulse.backend.users.router import router as users_router

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(sessions_router)
api_router.include_router(audit_router)
