"""The small interface to Procrastinate: the app, the task names, deferring jobs inside our transaction.

Nothing outside this module knows Procrastinate. Runs, states, checkpoints and progress live in Pulse's own
tables, so the queue engine can be swapped by rewriting this module (and `worker.py`'s loop).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import procrastinate
from psycopg import errors as pg_errors
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

QUEUE = "pulse_sync"
TASK_NAME = "pulse.etl.run_sync"
METRICS_QUEUE = "pulse_metrics"
REBUILD_TASK_NAME = "pulse.analytics.rebuild_facts"
QUEUES = (QUEUE, METRICS_QUEUE)
TASK_NAMES = (TASK_NAME, REBUILD_TASK_NAME)

# Procrastinate's own deferral function, called on our session so the queue row commits (and its NOTIFY
# fires) together with the job run row: a worker never sees a queue job for a run that does not exist yet.
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, CAST(:lock AS text), "
    "CAST(:queueing_lock AS text), CAST(:args AS jsonb), :scheduled_at)::procrastinate_job_to_defer_v1]))"
)


def defer_run(db_session: Session, job_run_id: int, *, scheduled_at: datetime | None = None) -> int:
    """Queue the execution of a job run (at `scheduled_at`, else now) in the caller's transaction."""
    queue_job_id = db_session.execute(
        _DEFER,
        {
            "queue": QUEUE,
            "task": TASK_NAME,
            "lock": None,
            "queueing_lock": None,
            "args": json.dumps({"job_run_id": job_run_id}),
            "scheduled_at": scheduled_at,
        },
    ).scalar_one()
    return int(queue_job_id)


def _facts_lock(client_id: int) -> str:
    return f"pulse.facts.{client_id}"


def defer_rebuild(db_session: Session, client_id: int) -> bool:
    """Queue a rebuild of the tenant's metric facts in the caller's transaction; False if one already waits.

    The queueing lock keeps at most one waiting rebuild per tenant (a running one does not count, so a write
    during a rebuild queues the next); the lock runs a tenant's rebuilds one after another.
    """
    lock = _facts_lock(client_id)
    try:
        # A savepoint: the duplicate's unique violation must not abort the caller's transaction.
        with db_session.begin_nested():
            db_session.execute(
                _DEFER,
                {
                    "queue": METRICS_QUEUE,
                    "task": REBUILD_TASK_NAME,
                    "lock": lock,
                    "queueing_lock": lock,
                    "args": json.dumps({"client_id": client_id}),
                    "scheduled_at": None,
                },
            )
    except IntegrityError as exc:
        if isinstance(exc.orig, pg_errors.UniqueViolation):
            return False
        raise
    return True


def rebuild_waiting(db_session: Session, client_id: int, *, worker_stale_seconds: float = 60.0) -> bool:
    """Whether a rebuild of the tenant's facts waits, or runs on a worker that still beats."""
    return bool(
        db_session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.queueing_lock = :lock "
                "AND j.task_name = :task AND (j.status = 'todo' OR (j.status = 'doing' AND EXISTS ("
                "SELECT 1 FROM procrastinate_workers w WHERE w.id = j.worker_id "
                "AND w.last_heartbeat > now() - make_interval(secs => :stale)))))"
            ),
            {"lock": _facts_lock(client_id), "task": REBUILD_TASK_NAME, "stale": worker_stale_seconds},
        ).scalar_one()
    )


def is_queued(db_session: Session, job_run_id: int, *, worker_stale_seconds: float = 60.0) -> bool:
    """Whether a queue job for this run waits, or runs on a worker that still beats."""
    # A 'doing' job of a killed worker stays 'doing' forever; it does not count as queued.
    return bool(
        db_session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.task_name = :task "
                "AND j.args->>'job_run_id' = :id AND (j.status = 'todo' OR (j.status = 'doing' AND EXISTS ("
                "SELECT 1 FROM procrastinate_workers w WHERE w.id = j.worker_id "
                "AND w.last_heartbeat > now() - make_interval(secs => :stale)))))"
            ),
            {"task": TASK_NAME, "id": str(job_run_id), "stale": worker_stale_seconds},
        ).scalar_one()
    )


def abandon_dead(db_session: Session, *, worker_stale_seconds: float = 60.0) -> int:
    """Mark failed the queue jobs that dead workers left 'doing' (runs recover separately, rebuilds on read)."""
    ids = db_session.execute(
        text(
            "SELECT j.id FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
            "WHERE j.task_name = ANY(:tasks) AND j.status = 'doing' "
            "AND (w.id IS NULL OR w.last_heartbeat <= now() - make_interval(secs => :stale)) "
            "FOR UPDATE OF j SKIP LOCKED"
        ),
        {"tasks": list(TASK_NAMES), "stale": worker_stale_seconds},
    ).scalars()
    count = 0
    for queue_job_id in list(ids):
        db_session.execute(text("SELECT procrastinate_finish_job_v1(:id, 'failed', false)"), {"id": queue_job_id})
        count += 1
    return count


def make_app(url: str) -> procrastinate.App:
    """A Procrastinate app on Pulse's database with the sync and facts rebuild tasks registered."""
    from pulse.etl.jobs import runner

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name=TASK_NAME, queue=QUEUE, pass_context=True)
    def run_sync(context: Any, job_run_id: int) -> None:
        runner.execute(context.additional_context["runtime"], job_run_id)

    # A failed rebuild is retried; after the last attempt the next metrics read queues another.
    @app.task(
        name=REBUILD_TASK_NAME,
        queue=METRICS_QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=3, exponential_wait=2),
    )
    def rebuild_facts(context: Any, client_id: int) -> None:
        runner.rebuild_facts(context.additional_context["runtime"], client_id)

    return app


_UPGRADE_MARK = "procrastinate "


def upgrade_procrastinate_schema(conn: Any) -> list[str]:
    """Apply procrastinate's bundled migrations newer than the recorded schema version (for upgrade steps)."""
    from importlib.metadata import version
    from pathlib import Path

    from procrastinate.schema import SchemaManager

    comment = conn.execute("SELECT obj_description('procrastinate_jobs'::regclass, 'pg_class')").fetchone()[0] or ""
    installed = comment.removeprefix(_UPGRADE_MARK).strip()
    current = _version_key(installed)
    applied = []
    for path in sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql")):
        if _version_key(path.name.split("_", 1)[0]) > current:
            conn.execute(path.read_text())
            applied.append(path.name)
    conn.execute(f"COMMENT ON TABLE procrastinate_jobs IS '{_UPGRADE_MARK}{version('procrastinate')}'")
    return applied


def _version_key(value: str) -> tuple[int, ...]:
    parts = [p for p in value.replace("-", ".").split(".") if p.isdigit()]
    return tuple(int(p) for p in parts[:3]) or (0,)
