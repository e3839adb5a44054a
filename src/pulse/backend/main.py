"""The Backend Service application: identity, sessions, permissions and audit (port 3001)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg_pool
from fastapi import FastAPI, Request
from pydantic import BaseModel, SecretStr
from starlette.concurrency import run_in_threadpool

from pulse import __version__
from pulse.backend import events
from pulse.backend.api import api_router
from pulse.backend.auth.fast_path import CachedValidation
from pulse.backend.auth.service import Principal, dummy_hash
from pulse.backend.deps import public
from pulse.core.auth_cache import RevocableCache
from pulse.core.config import Settings, get_settings
from pulse.core.db.engine import libpq_url, make_engine, session_factory
from pulse.core.errors import DependencyUnavailable
from pulse.core.http import install_http_plumbing
from pulse.core.listener import PgListener
from pulse.core.logging import get_logger

log = get_logger(__name__)


class Status(BaseModel):
    """Liveness or readiness."""

    status: str


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Backend Service; refuses unusable secrets (ConfigError) before anything starts."""
    settings = settings or get_settings()
    # Resolve the secret once (in dev mode it comes from a file), refusing unusable ones before anything starts.
    settings = settings.model_copy(update={"jwt_secret_key": SecretStr(settings.jwt_secret())})
    url = libpq_url(settings)
    engine = make_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    # Token validation runs on the event loop with its own autocommit pool: one statement, one round trip,
    # no thread hop and no pre-ping on the hot path.
    auth_pool: psycopg_pool.AsyncConnectionPool[Any] = psycopg_pool.AsyncConnectionPool(
        url,
        min_size=1,
        max_size=settings.db_pool_size + settings.db_max_overflow,
        open=False,
        timeout=2,
        kwargs={"autocommit": True, "options": "-c timezone=UTC", "connect_timeout": 5},
    )

    # Validated callers are kept until their deadline or until an auth event names them: heard from other
    # processes on the listener, applied at commit for this process's own changes.
    auth_cache: RevocableCache[Principal] = RevocableCache(
        size=settings.auth_cache_size, enabled=settings.auth_cache_ttl_seconds > 0
    )
    listener = PgListener(url)
    auth_cache.attach(listener)
    factory = session_factory(engine)
    events.evict_on_commit(factory, auth_cache)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await auth_pool.open(wait=False)
        listener.start()
        # Pay for the dummy hash now, not on the first unknown-email login (that would leak timing).
        await run_in_threadpool(dummy_hash, settings.password_iterations)
        # Everything allocated so far lives as long as the process: keep it out of the collector's full
        # passes, which otherwise stall every in-flight request for tens of milliseconds.
        gc.freeze()
        log.info("backend_started", version=__version__)
        try:
            yield
        finally:
            gc.unfreeze()
            await listener.stop()
            await auth_pool.close()
            engine.dispose()

    app = FastAPI(
        title="Pulse Backend Service",
        version=__version__,
        description="Identity, sessions, roles and permissions, tenants and audit for Pulse.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.auth_pool = auth_pool
    app.state.auth_cache = auth_cache
    app.state.listener = listener

    install_http_plumbing(app, settings)
    app.add_middleware(CachedValidation, cache=auth_cache)  # outermost: a cache hit skips everything else

    @app.get("/health", response_model=Status, tags=["health"], dependencies=[public()])
    async def health() -> Status:
        """Liveness: the process answers."""
        return Status(status="ok")

    @app.get(
        "/ready",
        response_model=Status,
        tags=["health"],
        dependencies=[public()],
        responses={503: {"description": "The database is unreachable"}},
    )
    async def ready(request: Request) -> Status:
        """Readiness: the database answers."""
        try:
            async with auth_pool.connection(timeout=3) as conn:
                await conn.execute("SELECT 1")
        except Exception as exc:
            raise DependencyUnavailable("The database is unreachable") from exc
        return Status(status="ready")

    app.include_router(api_router)
    return app
