"""The job machinery with real worker processes and the fake connector: states, stops, crashes, retries."""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work
from pulse.core.db.models import Integration, JobEvent, SyncSchedule
from pulse.core.errors import Conflict
from pulse.etl.jobs import queue, schedules, states
from pulse.etl.jobs import service as job_service
from tests.etl.conftest import (
    fake_rows,
    make_integration,
    run_status,
    start_run,
    wait_status,
    wait_until,
)
from tests.factories import make_client
from tests.servers import PulseProcess

Workers = Callable[..., PulseProcess]


def control(engine: Engine, job_run_id: int, action: str) -> str:
    """Pause, resume or cancel through the jobs service (as the API does); returns the status it left."""
    with unit_of_work(engine) as db_session:
        run = job_service.get(db_session=db_session, client_id=client_of(engine, job_run_id), job_run_id=job_run_id)
        getattr(job_service, action)(db_session=db_session, run=run)
        return run.status


def client_of(engine: Engine, job_run_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT client_id FROM job_runs WHERE id = :i"), {"i": job_run_id}).scalar_one())


def event_messages(engine: Engine, job_run_id: int) -> list[str]:
    with unit_of_work(engine) as db_session:
        return list(
            db_session.execute(
                select(JobEvent.message).where(JobEvent.job_run_id == job_run_id).order_by(JobEvent.id)
            ).scalars()
        )


def test_transitions_are_enforced_in_one_place() -> None:
    assert states.can_move("PENDING", "RUNNING")
    assert states.can_move("RUNNING", "PAUSED") and states.can_move("PAUSED", "RUNNING")
    assert states.can_move("FAILED", "PENDING")
    assert not states.can_move("PENDING", "PAUSED")
    assert not states.can_move("FINISHED", "RUNNING")
    assert not states.can_move("CANCELLED", "PENDING")
    with pytest.raises(Conflict):
        states.check_move("FINISHED", "CANCELLED")


def test_one_live_run_per_integration_and_illegal_controls_conflict(fake_tables: Engine, settings: Settings) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id)
    first = start_run(fake_tables, settings, integration_id)
    with pytest.raises(Conflict):
        start_run(fake_tables, settings, integration_id)
    with pytest.raises(Conflict):
        control(fake_tables, first, "pause")  # PENDING cannot pause
    with pytest.raises(Conflict):
        control(fake_tables, first, "resume")
    assert control(fake_tables, first, "cancel") == "CANCELLED"
    with pytest.raises(Conflict):
        control(fake_tables, first, "cancel")
    assert start_run(fake_tables, settings, integration_id) != first  # the slot is free again


def test_sync_runs_to_finished_with_progress_and_log(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=20, batch=5)
    worker = workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    run = wait_status(fake_tables, job_run_id, "FINISHED", "FAILED")
    assert run.status == "FINISHED", run.error
    assert (run.percent, run.counts, run.attempt, run.step) == (100.0, {"items": 20}, 1, "items")
    assert run.started_at and run.finished_at and run.heartbeat_at
    assert fake_rows(fake_tables, integration_id) == list(range(20))
    with fake_tables.connect() as conn:
        refreshed_at = conn.execute(
            text("SELECT refreshed_at FROM metric_refresh_state WHERE client_id = :c"), {"c": client_id}
        ).scalar_one()
    assert refreshed_at >= run.finished_at, "the metric facts are rebuilt by the run that finished"
    messages = event_messages(fake_tables, job_run_id)
    assert "starting at item 0" in messages and "done" in messages
    assert any("PENDING → RUNNING" in m or m.startswith("Started") for m in messages)
    worker.stop()
    assert "job_state" in worker.logs() and "good-token" not in worker.logs()  # credentials never logged


def test_pause_then_resume_continues_from_the_checkpoint(
    fake_tables: Engine, settings: Settings, workers: Workers
) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=30, batch=1, delay=0.1)
    workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    wait_until(lambda: len(fake_rows(fake_tables, integration_id)) >= 3, what="first rows")
    asked = time.monotonic()
    control(fake_tables, job_run_id, "pause")
    wait_status(fake_tables, job_run_id, "PAUSED", timeout=5)
    assert time.monotonic() - asked < 2.0
    written = fake_rows(fake_tables, integration_id)
    time.sleep(0.5)
    assert fake_rows(fake_tables, integration_id) == written  # nothing runs while paused
    assert written == list(range(len(written)))
    control(fake_tables, job_run_id, "resume")
    run = wait_status(fake_tables, job_run_id, "FINISHED", "FAILED")
    assert run.status == "FINISHED", run.error
    assert fake_rows(fake_tables, integration_id) == list(range(30))
    assert f"starting at item {len(written)}" in event_messages(fake_tables, job_run_id)


def test_cancel_stops_a_running_step_within_two_seconds(
    fake_tables: Engine, settings: Settings, workers: Workers
) -> None:
    client_id = make_client(fake_tables)
    # Long waits inside a step: the stop must interrupt the wait, not sit it out.
    integration_id = make_integration(fake_tables, settings, client_id, items=10, batch=2, delay=30)
    workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    wait_status(fake_tables, job_run_id, "RUNNING")
    time.sleep(0.3)
    asked = time.monotonic()
    control(fake_tables, job_run_id, "cancel")
    run = wait_status(fake_tables, job_run_id, "CANCELLED", timeout=5)
    assert time.monotonic() - asked < 2.0
    assert run.finished_at is not None
    rows = fake_rows(fake_tables, integration_id)
    assert len(rows) % 2 == 0 and rows == list(range(len(rows)))  # only whole committed batches


def test_killed_worker_is_recovered_by_another_from_the_checkpoint(
    fake_tables: Engine, settings: Settings, workers: Workers
) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=40, batch=2, delay=0.05)
    doomed = workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    wait_until(lambda: len(fake_rows(fake_tables, integration_id)) >= 6, what="first batches")
    doomed.kill()  # SIGKILL mid-run: no chance to checkpoint or say goodbye
    written = len(fake_rows(fake_tables, integration_id))
    assert written < 40
    assert run_status(fake_tables, job_run_id).status == "RUNNING"
    workers()
    run = wait_status(fake_tables, job_run_id, "FINISHED", "FAILED", timeout=40)
    assert run.status == "FINISHED", run.error
    assert run.attempt == 2
    # Exactly the rows of an uninterrupted run: nothing lost, nothing duplicated.
    assert fake_rows(fake_tables, integration_id) == list(range(40))
    messages = event_messages(fake_tables, job_run_id)
    assert any("stopped sending heartbeats" in m for m in messages)

    def doing() -> int:
        with fake_tables.connect() as conn:
            query = text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
            return int(conn.execute(query).scalar_one())

    wait_until(lambda: doing() == 0, what="the dead worker's queue job to be closed, not left 'doing' forever")
    assert any(m.startswith("starting at item") and m != "starting at item 0" for m in messages)


def test_two_workers_never_run_one_integration_at_once(
    fake_tables: Engine, settings: Settings, workers: Workers
) -> None:
    client_id = make_client(fake_tables)
    integrations = [make_integration(fake_tables, settings, client_id, items=12, batch=2, delay=0.05) for _ in range(3)]
    workers("--concurrency", "2")
    workers("--concurrency", "2")
    runs = []
    for integration_id in integrations:
        job_run_id = start_run(fake_tables, settings, integration_id)
        runs.append(job_run_id)
        with unit_of_work(fake_tables) as db_session:
            for _ in range(2):  # duplicate queue jobs for the same run: both workers will try it
                queue.defer_run(db_session, job_run_id)
    for job_run_id in runs:
        run = wait_status(fake_tables, job_run_id, "FINISHED", "FAILED", timeout=40)
        assert run.status == "FINISHED", run.error
        assert run.attempt == 1
    with fake_tables.connect() as conn:
        for integration_id in integrations:
            batches = conn.execute(
                text("SELECT started, ended FROM fake_batches WHERE integration_id = :i ORDER BY started"),
                {"i": integration_id},
            ).all()
            for (_, previous_end), (next_start, _) in itertools.pairwise(batches):
                assert next_start >= previous_end, "two executions of one integration overlapped"
            assert fake_rows(fake_tables, integration_id) == list(range(12))


def test_transient_failure_is_retried_with_backoff(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=6, batch=2, fail_times=1)
    workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    run = wait_status(fake_tables, job_run_id, "FINISHED", timeout=30)
    assert run.attempt == 2
    assert fake_rows(fake_tables, integration_id) == list(range(6))
    messages = event_messages(fake_tables, job_run_id)
    assert any("transient failure 1 of 1" in m for m in messages)
    assert any(m.startswith("Retrying in") for m in messages)


def test_a_run_fails_after_the_maximum_attempts(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=20, batch=2, fail_times=9)
    workers()
    job_run_id = start_run(fake_tables, settings, integration_id)  # the run keeps max_attempts from its creator
    run = wait_status(fake_tables, job_run_id, "FAILED", timeout=30)
    time.sleep(0.5)
    run = run_status(fake_tables, job_run_id)
    assert run.status == "FAILED" and run.attempt == run.max_attempts == settings.job_max_attempts
    assert "transient failure 3 of 9" in (run.error or "")


def test_a_due_schedule_fires_a_run(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(
        fake_tables, settings, client_id, items=2, batch=2, schedule={"cron": "*/5 * * * *", "timezone": "Europe/Paris"}
    )
    with unit_of_work(fake_tables) as db_session:
        integration = db_session.get(Integration, integration_id)
        assert integration is not None
        row = schedules.apply(db_session=db_session, integration=integration)
        assert row is not None and row.next_run_at > datetime.now(UTC)
        row.next_run_at = datetime.now(UTC) - timedelta(seconds=1)  # as if its time had come
    workers()

    def scheduled_run() -> int | None:
        with unit_of_work(fake_tables) as db_session:
            schedule = db_session.execute(
                select(SyncSchedule).where(SyncSchedule.integration_id == integration_id)
            ).scalar_one()
            return schedule.last_job_run_id

    job_run_id = wait_until(scheduled_run, what="the schedule to fire")
    run = wait_status(fake_tables, job_run_id, "FINISHED")
    assert run.trigger == "schedule"
    with unit_of_work(fake_tables) as db_session:
        schedule = db_session.execute(
            select(SyncSchedule).where(SyncSchedule.integration_id == integration_id)
        ).scalar_one()
        assert schedule.next_run_at > datetime.now(UTC)
        assert schedule.next_run_at.minute % 5 == 0  # the next cron slot, not "now + something"


def test_sigterm_checkpoints_and_another_worker_resumes(
    fake_tables: Engine, settings: Settings, workers: Workers
) -> None:
    client_id = make_client(fake_tables)
    integration_id = make_integration(fake_tables, settings, client_id, items=30, batch=1, delay=0.1)
    first = workers()
    job_run_id = start_run(fake_tables, settings, integration_id)
    wait_until(lambda: len(fake_rows(fake_tables, integration_id)) >= 3, what="first rows")
    assert first.process is not None
    asked = time.monotonic()
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=10) == 0
    assert time.monotonic() - asked < 5
    run = run_status(fake_tables, job_run_id)
    assert run.status == "PENDING" and run.attempt == 0  # handed over, no attempt spent
    workers()
    run = wait_status(fake_tables, job_run_id, "FINISHED", "FAILED")
    assert run.status == "FINISHED", run.error
    assert fake_rows(fake_tables, integration_id) == list(range(30))


def test_waiting_runs_that_lost_their_queue_job_are_queued_again(fake_tables: Engine, settings: Settings) -> None:
    from pulse.etl.jobs import runner

    client_id = make_client(fake_tables)
    lost = start_run(fake_tables, settings, make_integration(fake_tables, settings, client_id))
    stranded = start_run(fake_tables, settings, make_integration(fake_tables, settings, client_id))
    with fake_tables.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs WHERE args->>'job_run_id' = :i"), {"i": str(lost)})
        # Fetched by a worker that died before claiming it: 'doing', with no live worker behind it.
        conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing' WHERE args->>'job_run_id' = :i"), {"i": str(stranded)}
        )
        conn.execute(text("UPDATE job_runs SET last_updated_at = now() - interval '5 minutes'"))
    runtime = runner.Runtime(settings=settings, engine=fake_tables, url=str(settings.database_url))
    assert runner.requeue_orphans(runtime) == 2
    with unit_of_work(fake_tables) as db_session:
        assert queue.is_queued(db_session, lost) and queue.is_queued(db_session, stranded)
    assert runner.requeue_orphans(runtime) == 0  # just queued again: nothing left to do
