"""Job runs: start, read, control (pause/resume/cancel), and every state change with its event and NOTIFY."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.db.models import Integration, JobEvent, JobRun
from pulse.core.errors import Conflict, NotFound
from pulse.core.logging import get_logger, redact_text
from pulse.etl.jobs import queue, states
from pulse.etl.push import PUSH_TYPE

log = get_logger(__name__)

EVENTS_CHANNEL = "pulse_job_events"
MAX_BACKOFF_SECONDS = 3600.0


def notify(db_session: Session, job_run_id: int) -> None:
    """Tell listeners (WebSockets, `pulse sync --wait`) that a run changed; delivered at commit."""
    db_session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": EVENTS_CHANNEL, "payload": str(job_run_id)}
    )


def add_event(db_session: Session, run: JobRun, level: str, message: str, **fields: Any) -> JobEvent:
    """Record a log event on a run (message redacted) and notify listeners."""
    event = JobEvent(
        client_id=run.client_id,
        job_run_id=run.id,
        level=level if level in ("debug", "info", "warning", "error") else "info",
        message=redact_text(message)[:4000],
        fields=fields,
    )
    db_session.add(event)
    db_session.flush()
    notify(db_session, run.id)
    return event


def move(db_session: Session, run: JobRun, target: str, *, message: str | None = None, **fields: Any) -> None:
    """Apply one legal state transition (Conflict otherwise), stamp times, record the event."""
    states.check_move(run.status, target)
    previous = run.status
    run.status = target
    now = datetime.now(UTC)
    if target == states.RUNNING and run.started_at is None:
        run.started_at = now
    if target in states.TERMINAL:
        run.finished_at = now
        run.requested_action = None
    if target == states.PENDING:
        run.finished_at = None
    run.last_updated_at = now
    db_session.flush()
    level = "error" if target == states.FAILED else "info"
    add_event(db_session, run, level, message or f"{previous} → {target}", transition=[previous, target], **fields)
    log.info("job_state", job_run_id=run.id, integration_id=run.integration_id, previous=previous, status=target)


def backoff_seconds(settings: Settings, attempt: int) -> float:
    """Exponential back-off before retry number `attempt` (1-based), capped at an hour."""
    return float(min(settings.job_retry_base_seconds * (2 ** max(attempt - 1, 0)), MAX_BACKOFF_SECONDS))


def start(
    *,
    db_session: Session,
    settings: Settings,
    integration: Integration,
    trigger: str = "manual",
    user_id: int | None = None,
) -> JobRun:
    """Create a PENDING run and queue it; Conflict when the integration already has a live run."""
    if not integration.active:
        raise Conflict(f"integration {integration.id} is deactivated")
    if integration.type == PUSH_TYPE:
        raise Conflict(f"integration {integration.id} is a push integration: its data arrives by push, not by sync")
    run = JobRun(
        client_id=integration.client_id,
        integration_id=integration.id,
        status=states.PENDING,
        trigger=trigger,
        max_attempts=settings.job_max_attempts,
        created_by_user_id=user_id,
        counts={},
    )
    try:
        with db_session.begin_nested():
            db_session.add(run)
            db_session.flush()
    except IntegrityError as exc:
        if "uq_job_runs_integration_live" in str(exc.orig):
            raise Conflict(f"integration {integration.id} already has a pending, running or paused sync") from exc
        raise
    add_event(db_session, run, "info", f"Sync queued ({trigger})", trigger=trigger)
    queue.defer_run(db_session, run.id)
    log.info("job_queued", job_run_id=run.id, integration_id=integration.id, trigger=trigger)
    return run


def get(*, db_session: Session, client_id: int, job_run_id: int, lock: bool = False) -> JobRun:
    """A run of the tenant, or NotFound."""
    statement = select(JobRun).where(JobRun.id == job_run_id, JobRun.client_id == client_id)
    if lock:
        statement = statement.with_for_update()
    run = db_session.execute(statement).scalar_one_or_none()
    if run is None:
        raise NotFound(f"job {job_run_id} not found")
    return run


def list_(
    *, db_session: Session, client_id: int, integration_id: int | None, limit: int, offset: int
) -> tuple[list[JobRun], int]:
    """The tenant's runs, newest first, optionally of one integration, and their total."""
    where = [JobRun.client_id == client_id]
    if integration_id is not None:
        where.append(JobRun.integration_id == integration_id)
    total = db_session.execute(select(func.count()).select_from(JobRun).where(*where)).scalar_one()
    rows = db_session.execute(select(JobRun).where(*where).order_by(JobRun.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


def events(
    *, db_session: Session, job_run_id: int, after_id: int = 0, limit: int = 500, offset: int = 0
) -> list[JobEvent]:
    """A run's events in order, after a given event id."""
    rows = db_session.execute(
        select(JobEvent)
        .where(JobEvent.job_run_id == job_run_id, JobEvent.id > after_id)
        .order_by(JobEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars())


def count_events(*, db_session: Session, job_run_id: int) -> int:
    """How many events a run has."""
    return int(
        db_session.execute(
            select(func.count()).select_from(JobEvent).where(JobEvent.job_run_id == job_run_id)
        ).scalar_one()
    )


def pause(*, db_session: Session, run: JobRun) -> JobRun:
    """Ask a RUNNING run to pause; its worker checkpoints and moves it to PAUSED within about 2 s."""
    if run.status != states.RUNNING:
        states.check_move(run.status, states.PAUSED)
    if run.requested_action == "cancel":
        raise Conflict("the job is being cancelled")
    run.requested_action = "pause"
    add_event(db_session, run, "info", "Pause requested")
    return run


def resume(*, db_session: Session, run: JobRun) -> JobRun:
    """Queue a PAUSED run again; a worker moves it back to RUNNING from its checkpoints."""
    if run.status == states.RUNNING and run.requested_action == "pause":
        run.requested_action = None  # the worker had not stopped yet: just keep going
        add_event(db_session, run, "info", "Pause withdrawn")
        return run
    if run.status != states.PAUSED:
        raise Conflict(f"a {run.status} job cannot be resumed")
    if run.requested_action != "resume":
        run.requested_action = "resume"
        add_event(db_session, run, "info", "Resume requested")
        queue.defer_run(db_session, run.id)
    return run


def cancel(*, db_session: Session, run: JobRun) -> JobRun:
    """Cancel a run: at once when no worker holds it, else its worker stops within about 2 s."""
    if run.status == states.RUNNING:
        if run.requested_action != "cancel":
            run.requested_action = "cancel"
            add_event(db_session, run, "info", "Cancel requested")
        return run
    move(db_session, run, states.CANCELLED, message="Cancelled")
    return run


def schedule_retry(db_session: Session, settings: Settings, run: JobRun, *, count_attempt: bool = True) -> bool:
    """FAILED → PENDING with back-off when attempts remain (queued again); False when it stays FAILED."""
    if not count_attempt:
        run.attempt = max(run.attempt - 1, 0)
    if run.attempt >= run.max_attempts:
        return False
    delay = backoff_seconds(settings, run.attempt) if count_attempt else 0.0
    run.not_before = datetime.now(UTC) + timedelta(seconds=delay)
    run.worker_id = None
    move(db_session, run, states.PENDING, message=f"Retrying in {delay:.0f} s", retry_in_seconds=delay)
    queue.defer_run(db_session, run.id, scheduled_at=run.not_before)
    return True
