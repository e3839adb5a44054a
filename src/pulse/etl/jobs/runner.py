"""Executing one job run in a worker thread: the integration lock, claim, the SyncContext, the final state.

Also the two maintenance duties every worker shares: recovering runs whose worker died, and firing due
schedules. Both are safe with any number of workers (row locks with SKIP LOCKED, advisory locks).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pulse.analytics import incremental as analytics_incremental
from pulse.analytics.freshness import service as freshness_service
from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work
from pulse.core.db.models import Integration, JobRun, SyncCheckpoint, SyncSchedule
from pulse.core.errors import Conflict, InvalidInput
from pulse.core.logging import get_logger, redact_text
from pulse.etl.connectors.base.interface import (
    IntegrationConfig,
    InterruptReason,
    JobInterrupted,
    PermanentSyncError,
    get_connector,
)
from pulse.etl.integrations import service as integration_service
from pulse.etl.jobs import queue, schedules, states
from pulse.etl.jobs import service as job_service

log = get_logger(__name__)

CONTROL_POLL_SECONDS = 0.25
PROGRESS_MIN_INTERVAL = 0.5
LOCK_RETRY_SECONDS = 2.0


@dataclass
class Runtime:
    """What a worker process shares with the runs it executes."""

    settings: Settings
    engine: Engine
    url: str
    shutdown: threading.Event = field(default_factory=threading.Event)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


class IntegrationLock:
    """A PostgreSQL session advisory lock per integration on a connection of its own.

    It is held for the whole run and vanishes with the connection, so a crashed worker's lock is freed by
    the server, and no two workers anywhere run one integration at once.
    """

    def __init__(self, url: str, integration_id: int):
        self.url = url
        self.integration_id = integration_id
        self._conn: psycopg.Connection[Any] | None = None

    def acquire(self) -> bool:
        """Try to take the lock without waiting."""
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        got = conn.execute(
            "SELECT pg_try_advisory_lock(hashtextextended('pulse.sync.' || %s::text, 0))", (self.integration_id,)
        ).fetchone()
        if got and got[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        """Drop the lock (closing the connection drops it even if the unlock call fails)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


class RunContext:
    """The SyncContext a connector gets: checkpoints, commits, progress, logs and stop requests."""

    def __init__(self, runtime: Runtime, integration: IntegrationConfig, job_run_id: int, worker_id: str):
        self.runtime = runtime
        self.integration = integration
        self.job_run_id = job_run_id
        self.worker_id = worker_id
        self.reason: InterruptReason | None = None
        self.lost = False
        self._wake = threading.Event()
        self._done = threading.Event()
        self._progress_lock = threading.Lock()
        self._progress: dict[str, Any] | None = None
        self._progress_written = 0.0
        self._last_step: str | None = None
        self._thread: threading.Thread | None = None

    # -- the SyncContext protocol -------------------------------------------------------------------------

    def get_checkpoint(self, stream: str) -> dict[str, Any] | None:
        """The cursor the last commit saved for this integration and stream."""
        with unit_of_work(self.runtime.engine) as db_session:
            state = db_session.execute(
                select(SyncCheckpoint.state).where(
                    SyncCheckpoint.integration_id == self.integration.id, SyncCheckpoint.stream == stream
                )
            ).scalar_one_or_none()
        return dict(state) if state is not None else None

    def commit(self, stream: str, checkpoint: dict[str, Any] | None, write: Callable[[Session], None]) -> None:
        """Rows and checkpoint in one transaction (checkpoint None keeps the stored one); then honour stops."""
        if self.lost:
            raise JobInterrupted("shutdown")
        with unit_of_work(self.runtime.engine) as db_session:
            owner = db_session.execute(
                select(JobRun.id).where(
                    JobRun.id == self.job_run_id,
                    JobRun.worker_id == self.worker_id,
                    JobRun.status == states.RUNNING,
                )
            ).first()
            if owner is None:
                # Another worker took this run over: writing now could duplicate its work.
                self.lost = True
                raise JobInterrupted("shutdown")
            write(db_session)
            if checkpoint is not None:
                statement = insert(SyncCheckpoint).values(
                    client_id=self.integration.client_id,
                    integration_id=self.integration.id,
                    stream=stream,
                    state=checkpoint,
                    job_run_id=self.job_run_id,
                )
                db_session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[SyncCheckpoint.integration_id, SyncCheckpoint.stream],
                        set_={
                            "state": statement.excluded.state,
                            "job_run_id": statement.excluded.job_run_id,
                            "last_updated_at": text("now()"),
                        },
                    )
                )
        self.check_interrupted()

    def check_interrupted(self) -> None:
        """Raise JobInterrupted once a pause, cancel or worker shutdown was requested."""
        if self.reason is None and self.runtime.shutdown.is_set():
            self.reason = "shutdown"
        if self.reason is not None:
            raise JobInterrupted(self.reason)

    def sleep(self, seconds: float) -> None:
        """Wait, but wake for a stop request within half a second."""
        deadline = time.monotonic() + max(seconds, 0.0)
        while True:
            self.check_interrupted()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wake.wait(min(remaining, CONTROL_POLL_SECONDS))

    def progress(self, *, step: str, percent: float | None = None, counts: dict[str, int] | None = None) -> None:
        """Record progress (written at most twice a second, and at once when the step changes)."""
        with self._progress_lock:
            current = dict(self._progress or {})
            current["step"] = step
            if percent is not None:
                current["percent"] = max(0.0, min(100.0, float(percent)))
            if counts is not None:
                current["counts"] = {str(k): int(v) for k, v in counts.items()}
            self._progress = current
            due = step != self._last_step or time.monotonic() - self._progress_written >= PROGRESS_MIN_INTERVAL
        if due:
            self.flush_progress()

    def log(self, level: str, message: str, **fields: Any) -> None:
        """Record a log event on the run and in the worker's log."""
        with unit_of_work(self.runtime.engine) as db_session:
            run = db_session.get(JobRun, self.job_run_id)
            if run is not None:
                job_service.add_event(db_session, run, level.lower(), message, **fields)
        log.info("job_log", job_run_id=self.job_run_id, job_level=level, job_message=redact_text(message))

    # -- internals ------------------------------------------------------------------------------------------

    def flush_progress(self, db_session: Session | None = None) -> None:
        """Write pending progress to the run row (in the given session, else a short transaction of its own)."""
        with self._progress_lock:
            pending, self._progress = self._progress, None
            if pending is None:
                return
            self._progress_written = time.monotonic()
            self._last_step = pending.get("step", self._last_step)
        values = {k: pending[k] for k in ("step", "percent", "counts") if k in pending}
        if db_session is not None:
            run = db_session.get(JobRun, self.job_run_id)
            if run is not None:
                for key, value in values.items():
                    setattr(run, key, value)
            return
        with unit_of_work(self.runtime.engine) as session:
            run = session.get(JobRun, self.job_run_id)
            if run is not None and run.worker_id == self.worker_id:
                for key, value in values.items():
                    setattr(run, key, value)
                job_service.notify(session, self.job_run_id)

    def start_control(self) -> None:
        """Start the thread that beats the heartbeat and watches for pause/cancel requests."""
        self._thread = threading.Thread(target=self._control_loop, name=f"job-{self.job_run_id}-control", daemon=True)
        self._thread.start()

    def stop_control(self) -> None:
        """Stop the control thread."""
        self._done.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _stop(self, reason: InterruptReason) -> None:
        if self.reason is None:
            self.reason = reason
        self._wake.set()

    def _control_loop(self) -> None:
        last_beat = time.monotonic()
        while not self._done.is_set():
            if self.runtime.shutdown.is_set():
                self._stop("shutdown")
            try:
                beat = time.monotonic() - last_beat >= self.runtime.settings.job_heartbeat_seconds
                with self.runtime.engine.begin() as conn:
                    if beat:
                        conn.execute(
                            text("UPDATE job_runs SET heartbeat_at = now() WHERE id = :id AND worker_id = :worker"),
                            {"id": self.job_run_id, "worker": self.worker_id},
                        )
                        last_beat = time.monotonic()
                    row = conn.execute(
                        text("SELECT status, worker_id, requested_action FROM job_runs WHERE id = :id"),
                        {"id": self.job_run_id},
                    ).first()
                if row is None or row[0] != states.RUNNING or row[1] != self.worker_id:
                    self.lost = True
                    self._stop("shutdown")
                elif row[2] == "cancel":
                    self._stop("cancelled")
                elif row[2] == "pause":
                    self._stop("paused")
                if self._progress is not None and time.monotonic() - self._progress_written >= PROGRESS_MIN_INTERVAL:
                    self.flush_progress()
            except Exception as exc:
                log.warning("job_control_failed", job_run_id=self.job_run_id, error=type(exc).__name__)
            self._done.wait(CONTROL_POLL_SECONDS)


def _claim(runtime: Runtime, job_run_id: int, worker_id: str) -> IntegrationConfig | None:
    """PENDING (or PAUSED with resume asked) → RUNNING under our worker id; None when there is nothing to run."""
    with unit_of_work(runtime.engine) as db_session:
        run = db_session.execute(select(JobRun).where(JobRun.id == job_run_id).with_for_update()).scalar_one_or_none()
        if run is None:
            return None
        resuming = run.status == states.PAUSED and run.requested_action == "resume"
        if run.status != states.PENDING and not resuming:
            return None
        integration = db_session.get(Integration, run.integration_id)
        if integration is None or not integration.active:
            job_service.move(db_session, run, states.CANCELLED, message="Cancelled: the integration is deactivated")
            return None
        try:
            config = integration_service.config_of(
                db_session=db_session, settings=runtime.settings, integration=integration
            )
            get_connector(integration.type)
        except Exception as exc:
            run.attempt += 1
            run.error = redact_text(f"{type(exc).__name__}: {exc}")[:2000]
            run.worker_id = worker_id
            job_service.move(db_session, run, states.RUNNING, attempt=run.attempt)
            job_service.move(db_session, run, states.FAILED, message=f"Cannot start: {run.error}")
            return None
        if not resuming:
            run.attempt += 1
        run.worker_id = worker_id
        run.heartbeat_at = datetime.now(UTC)
        run.requested_action = None
        run.error = None
        message = f"{'Resumed' if resuming else 'Started'} on {runtime.name} (attempt {run.attempt}/{run.max_attempts})"
        job_service.move(db_session, run, states.RUNNING, message=message, attempt=run.attempt)
        return config


def _finish(runtime: Runtime, ctx: RunContext, outcome: str, error: BaseException | None) -> None:
    """Record how the run ended, unless another worker owns it now."""
    with unit_of_work(runtime.engine) as db_session:
        run = db_session.execute(
            select(JobRun).where(JobRun.id == ctx.job_run_id).with_for_update()
        ).scalar_one_or_none()
        if run is None or run.status != states.RUNNING or run.worker_id != ctx.worker_id:
            log.warning("job_lost", job_run_id=ctx.job_run_id)
            return
        ctx.flush_progress(db_session)
        if outcome == "finished":
            run.percent = 100.0
            job_service.move(db_session, run, states.FINISHED, message="Finished")
            # Same transaction: the metrics never show a finished sync without its rows in the facts. Only what
            # the writes since the last refresh touched is recomputed (settings changes rebuild it all).
            analytics_incremental.refresh_pending(db_session=db_session, client_id=run.client_id)
        elif outcome == "paused":
            job_service.move(db_session, run, states.PAUSED, message="Paused (progress saved)")
        elif outcome == "cancelled":
            job_service.move(db_session, run, states.CANCELLED, message="Cancelled (committed work kept)")
        elif outcome == "shutdown":
            run.error = "The worker shut down; the run resumes from its checkpoints"
            job_service.move(db_session, run, states.FAILED, message=run.error)
            job_service.schedule_retry(db_session, runtime.settings, run, count_attempt=False)
        else:
            run.error = redact_text(f"{type(error).__name__}: {error}")[:2000]
            job_service.move(db_session, run, states.FAILED, message=f"Failed: {run.error}")
            if outcome == "failed":
                job_service.schedule_retry(db_session, runtime.settings, run)


def execute(runtime: Runtime, job_run_id: int) -> None:
    """Run one job run to an end state (called by the queue task in a worker thread)."""
    with unit_of_work(runtime.engine) as db_session:
        row = db_session.execute(select(JobRun.integration_id, JobRun.status).where(JobRun.id == job_run_id)).first()
    if row is None or row[1] not in (states.PENDING, states.PAUSED):
        return
    integration_id = row[0]
    lock = IntegrationLock(runtime.url, integration_id)
    if not lock.acquire():
        # Someone holds the integration: a live run elsewhere (then this queue job is a duplicate) or a
        # worker finishing up; try again shortly only if the run still waits.
        if row[1] == states.PENDING:
            with unit_of_work(runtime.engine) as db_session:
                queue.defer_run(
                    db_session, job_run_id, scheduled_at=datetime.now(UTC) + timedelta(seconds=LOCK_RETRY_SECONDS)
                )
        return
    try:
        worker_id = f"{runtime.name}:{uuid.uuid4().hex[:8]}"
        config = _claim(runtime, job_run_id, worker_id)
        if config is None:
            return
        ctx = RunContext(runtime, config, job_run_id, worker_id)
        ctx.start_control()
        outcome: str = "finished"
        error: BaseException | None = None
        try:
            get_connector(config.type).sync(ctx)
        except JobInterrupted as exc:
            outcome = exc.reason
        except PermanentSyncError as exc:
            outcome, error = "failed_permanently", exc
        except Exception as exc:
            log.warning("job_failed", job_run_id=job_run_id, error=type(exc).__name__)
            outcome, error = "failed", exc
        finally:
            ctx.stop_control()
        if ctx.lost:
            log.warning("job_lost", job_run_id=job_run_id)
            return
        _finish(runtime, ctx, outcome, error)
    finally:
        lock.release()


def rebuild_facts(runtime: Runtime, client_id: int) -> None:
    """Rebuild a tenant's metric facts if still pending (the task settings writes and stale reads queue)."""
    with unit_of_work(runtime.engine) as db_session:
        rebuilt = freshness_service.rebuild(db_session=db_session, client_id=client_id)
    log.info("facts_rebuilt" if rebuilt else "facts_already_fresh", client_id=client_id)


def recover_stale(runtime: Runtime) -> int:
    """Take over RUNNING runs whose worker stopped beating (and whose integration lock is free)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=runtime.settings.job_stale_seconds)
    with unit_of_work(runtime.engine) as db_session:
        candidates = db_session.execute(
            select(JobRun.id, JobRun.integration_id).where(
                JobRun.status == states.RUNNING, JobRun.heartbeat_at < cutoff
            )
        ).all()
    recovered = 0
    for job_run_id, integration_id in candidates:
        lock = IntegrationLock(runtime.url, integration_id)
        if not lock.acquire():
            continue  # its worker is alive (just slow to beat) or another worker is recovering it
        try:
            with unit_of_work(runtime.engine) as db_session:
                run = db_session.execute(
                    select(JobRun).where(JobRun.id == job_run_id).with_for_update()
                ).scalar_one_or_none()
                if run is None or run.status != states.RUNNING:
                    continue
                if run.requested_action == "cancel":
                    job_service.move(db_session, run, states.CANCELLED, message="Cancelled (its worker was lost)")
                elif run.requested_action == "pause":
                    job_service.move(db_session, run, states.PAUSED, message="Paused (its worker was lost)")
                else:
                    run.error = f"Worker {run.worker_id} stopped sending heartbeats"
                    job_service.move(db_session, run, states.FAILED, message=f"{run.error}; recovering")
                    job_service.schedule_retry(db_session, runtime.settings, run)
                recovered += 1
        finally:
            lock.release()
    if recovered:
        log.info("jobs_recovered", count=recovered)
    return recovered


def close_dead_queue_jobs(runtime: Runtime) -> int:
    """Close queue jobs left 'doing' by workers that stopped beating (housekeeping; runs recover on their own)."""
    # Twice the run threshold: a worker that is only slow keeps its jobs.
    with unit_of_work(runtime.engine) as db_session:
        return queue.abandon_dead(db_session, worker_stale_seconds=2 * runtime.settings.job_stale_seconds)


def requeue_orphans(runtime: Runtime, *, older_than_seconds: float = 60.0) -> int:
    """Queue again waiting runs that have no queue job (lost by a crash between states)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    count = 0
    with unit_of_work(runtime.engine) as db_session:
        waiting = db_session.execute(
            select(JobRun)
            .where(
                JobRun.last_updated_at < cutoff,
                (JobRun.status == states.PENDING)
                | ((JobRun.status == states.PAUSED) & (JobRun.requested_action == "resume")),
            )
            .with_for_update(skip_locked=True)
        ).scalars()
        for run in waiting:
            if not queue.is_queued(db_session, run.id, worker_stale_seconds=runtime.settings.job_stale_seconds):
                queue.defer_run(db_session, run.id)
                run.last_updated_at = datetime.now(UTC)
                count += 1
    return count


def fire_due_schedules(runtime: Runtime, *, now: datetime | None = None) -> list[int]:
    """Start a run for every due schedule (skipping integrations already syncing); returns the new run ids."""
    now = now or datetime.now(UTC)
    started: list[int] = []
    with unit_of_work(runtime.engine) as db_session:
        due = db_session.execute(
            select(SyncSchedule)
            .where(SyncSchedule.active.is_(True), SyncSchedule.next_run_at <= now)
            .order_by(SyncSchedule.next_run_at)
            .limit(100)
            .with_for_update(skip_locked=True)
        ).scalars()
        for row in due:
            integration = db_session.get(Integration, row.integration_id)
            if integration is None or not integration.active or not (integration.settings or {}).get("schedule"):
                row.active = False
                continue
            try:
                schedule = schedules.parse_schedule(integration.settings["schedule"])
            except InvalidInput:
                row.active = False
                continue
            row.last_fired_at = now
            row.next_run_at = schedule.next_after(now)
            try:
                run = job_service.start(
                    db_session=db_session, settings=runtime.settings, integration=integration, trigger="schedule"
                )
            except Conflict:
                log.info("schedule_skipped_busy", integration_id=integration.id)
                continue
            row.last_job_run_id = run.id
            started.append(run.id)
    return started
