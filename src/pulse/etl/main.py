"""The ETL Service application: `create_app()` builds it; `pulse etl` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy import text

from pulse import __version__
from pulse.core.config import Settings, get_settings
from pulse.core.db.engine import libpq_url, make_engine, session_factory
from pulse.core.errors import DependencyUnavailable
from pulse.core.http import install_http_plumbing
from pulse.core.listener import PgListener
from pulse.core.logging import get_logger
from pulse.etl.auth_client import AuthClient
from pulse.etl.jobs.events import JobEventHub

log = get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ETL Service (its database engine, auth client and listener start with the lifespan)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = libpq_url(settings)
        engine = make_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
        listener = PgListener(url)
        auth_client = AuthClient(
            settings.backend_service_url,
            cache_ttl=settings.auth_cache_ttl_seconds,
            cache_size=settings.auth_cache_size,
            timeout=settings.auth_timeout_seconds,
            listener=listener,
        )
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        app.state.listener = listener
        app.state.auth_client = auth_client
        app.state.job_event_hub = JobEventHub(listener)
        await auth_client.start()
        listener.start()
        log.info("etl_started", backend=settings.backend_service_url)
        try:
            yield
        finally:
            await listener.stop()
            await auth_client.stop()
            engine.dispose()

    app = FastAPI(title="Pulse ETL Service", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    install_http_plumbing(app, settings)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    def ready(request: Request) -> dict[str, str]:
        """Readiness: the database answers."""
        try:
            with request.app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise DependencyUnavailable("The database is unavailable") from exc
        return {"status": "ready"}

    from pulse.etl.api import api_router

    app.include_router(api_router)
    return app
