"""Job routes: start a sync, list and read runs, pause/resume/cancel, the run's log, and the live stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect

from pulse.core.errors import NotAuthenticated, PermissionDenied, PulseError
from pulse.core.logging import get_logger
from pulse.etl.deps import (
    PERMISSION_MARKER,
    CurrentPrincipal,
    DbSession,
    PageParams,
    require,
    token_from,
    websocket_principal,
)
from pulse.etl.integrations.dependencies import CurrentIntegration
from pulse.etl.jobs import events as job_events
from pulse.etl.jobs import service as job_service
from pulse.etl.jobs.dependencies import CurrentJob, LockedJob
from pulse.etl.jobs.schemas import JobEventPage, JobEventRead, JobPage, JobRead, JobStarted

log = get_logger(__name__)

router = APIRouter(tags=["jobs"])

PING_SECONDS = 20.0
AUTH_MESSAGE_TIMEOUT = 5.0
# WebSocket close codes: 4401 not authenticated, 4403 not allowed, 4404 no such job, 4503 Backend down.
_CLOSE_CODES = {401: 4401, 403: 4403, 404: 4404, 503: 4503}


@router.post(
    "/integrations/{integration_id}/sync",
    status_code=202,
    response_model=JobStarted,
    dependencies=[require("etl_jobs", "execute")],
)
def start_sync(
    integration: CurrentIntegration, principal: CurrentPrincipal, db_session: DbSession, request: Request
) -> JobStarted:
    """Sync now: queue a run (409 when one is already pending, running or paused)."""
    run = job_service.start(
        db_session=db_session,
        settings=request.app.state.settings,
        integration=integration,
        trigger="manual",
        user_id=principal.user_id,
    )
    return JobStarted(job_run_id=run.id)


@router.get("/jobs", response_model=JobPage, dependencies=[require("etl_jobs", "read")])
def list_jobs(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: PageParams,
    integration_id: Annotated[int | None, Query(ge=1)] = None,
) -> JobPage:
    """Run history, newest first, optionally of one integration."""
    rows, total = job_service.list_(
        db_session=db_session,
        client_id=principal.client_id,
        integration_id=integration_id,
        limit=page.limit,
        offset=page.offset,
    )
    return JobPage(items=[JobRead.of(row) for row in rows], total=total)


@router.get("/jobs/{job_run_id}", response_model=JobRead, dependencies=[require("etl_jobs", "read")])
def read_job(job: CurrentJob) -> JobRead:
    """One run with its progress."""
    return JobRead.of(job)


@router.get("/jobs/{job_run_id}/log", response_model=JobEventPage, dependencies=[require("logs", "read")])
def read_job_log(job: CurrentJob, db_session: DbSession, page: PageParams) -> JobEventPage:
    """A run's log events, oldest first."""
    rows = job_service.events(db_session=db_session, job_run_id=job.id, limit=page.limit, offset=page.offset)
    total = job_service.count_events(db_session=db_session, job_run_id=job.id)
    return JobEventPage(items=[JobEventRead.of(row) for row in rows], total=total)


@router.post("/jobs/{job_run_id}/pause", response_model=JobRead, dependencies=[require("etl_jobs", "execute")])
def pause_job(job: LockedJob, db_session: DbSession) -> JobRead:
    """Pause a running run at its next checkpoint (within about 2 s)."""
    return JobRead.of(job_service.pause(db_session=db_session, run=job))


@router.post("/jobs/{job_run_id}/resume", response_model=JobRead, dependencies=[require("etl_jobs", "execute")])
def resume_job(job: LockedJob, db_session: DbSession) -> JobRead:
    """Resume a paused run from its checkpoints."""
    return JobRead.of(job_service.resume(db_session=db_session, run=job))


@router.post("/jobs/{job_run_id}/cancel", response_model=JobRead, dependencies=[require("etl_jobs", "execute")])
def cancel_job(job: LockedJob, db_session: DbSession) -> JobRead:
    """Cancel a run (a running one stops within about 2 s, keeping what it committed)."""
    return JobRead.of(job_service.cancel(db_session=db_session, run=job))


async def _first_message_token(websocket: WebSocket) -> str | None:
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), timeout=AUTH_MESSAGE_TIMEOUT)
        message = json.loads(raw)
    except (TimeoutError, ValueError, WebSocketDisconnect):
        return None
    token = message.get("token") if isinstance(message, dict) else None
    return str(token) if token else None


@router.websocket("/jobs/{job_run_id}/events")
async def job_events_stream(websocket: WebSocket, job_run_id: int) -> None:
    """Live state and log of a run: the latest state on connect, then every change; ping/pong."""
    token = token_from(websocket.headers, websocket.cookies, websocket.query_params)
    accepted = False
    try:
        if token is None:
            # The token may come as the first message: {"type": "auth", "token": "..."}.
            await websocket.accept()
            accepted = True
            token = await _first_message_token(websocket)
            if token is None:
                raise NotAuthenticated()
        principal = await websocket_principal(websocket, token)
        if not principal.can("etl_jobs", "read"):
            raise PermissionDenied("You need the etl_jobs:read permission")
        sessions = websocket.app.state.session_factory
        with sessions() as db_session:
            job_service.get(db_session=db_session, client_id=principal.client_id, job_run_id=job_run_id)
    except PulseError as exc:
        # Before accept this refuses the handshake; after it, it closes with a code saying why.
        await websocket.close(code=_CLOSE_CODES.get(exc.status_code, 4400), reason=exc.message[:100])
        return
    if not accepted:
        await websocket.accept()
    await _stream(websocket, job_run_id, token, include_logs=principal.can("logs", "read"))


setattr(job_events_stream, PERMISSION_MARKER, ("etl_jobs", "read"))


async def _stream(websocket: WebSocket, job_run_id: int, token: str, *, include_logs: bool) -> None:
    hub: job_events.JobEventHub = websocket.app.state.job_event_hub
    wake = hub.subscribe(job_run_id)

    async def send_updates() -> None:
        async for message in job_events.follow(
            websocket.app.state.session_factory, job_run_id, wake, include_logs=include_logs
        ):
            await websocket.send_json(message)
        await asyncio.Future()  # the run ended: stay open for pings until the viewer leaves

    async def ping_and_recheck() -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            # A revoked token ends the stream too (the cache was evicted, so this asks the Backend).
            await websocket_principal(websocket, token)
            await websocket.send_json({"type": "ping"})

    async def receive() -> None:
        while True:
            raw = await websocket.receive_text()
            with contextlib.suppress(ValueError):
                message: Any = json.loads(raw)
                if isinstance(message, dict) and message.get("type") == "ping":
                    await websocket.send_json({"type": "pong"})

    tasks = [asyncio.create_task(coro) for coro in (send_updates(), ping_and_recheck(), receive())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            exc = task.exception()
            if isinstance(exc, PulseError):
                with contextlib.suppress(Exception):
                    await websocket.close(code=_CLOSE_CODES.get(exc.status_code, 4400), reason=exc.message[:100])
            elif exc is not None and not isinstance(exc, WebSocketDisconnect):
                log.warning("job_stream_failed", job_run_id=job_run_id, error=type(exc).__name__)
                with contextlib.suppress(Exception):
                    await websocket.close(code=1011)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        hub.unsubscribe(job_run_id, wake)
