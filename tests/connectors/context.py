"""A test-only SyncContext: real transactions and the real `sync_checkpoints` table, no job queue.

It lets connector tests drive a sync directly and stop it at a chosen commit, like a killed worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.core.db.engine import session_factory
from pulse.etl.connectors.base.interface import IntegrationConfig


class Killed(Exception):
    """Raised by the context to stop a run abruptly after a given number of commits."""


class DirectContext:
    """Implements the SyncContext protocol on a real database."""

    def __init__(self, engine: Engine, integration: IntegrationConfig, *, kill_after_commits: int | None = None):
        self.engine = engine
        self.integration = integration
        self.job_run_id = 0
        self.sessions = session_factory(engine)
        self.kill_after_commits = kill_after_commits
        self.commits = 0
        self.logs: list[tuple[str, str, dict[str, Any]]] = []
        self.progress_reports: list[dict[str, Any]] = []
        self.slept: list[float] = []

    def get_checkpoint(self, stream: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT state FROM sync_checkpoints WHERE integration_id = :i AND stream = :s"),
                {"i": self.integration.id, "s": stream},
            ).first()
        return dict(row[0]) if row else None

    def commit(self, stream: str, checkpoint: dict[str, Any] | None, write: Callable[[Session], None]) -> None:
        if self.kill_after_commits is not None and self.commits >= self.kill_after_commits:
            raise Killed(f"killed before commit {self.commits + 1}")
        with self.sessions() as session, session.begin():
            write(session)
            if checkpoint is not None:
                session.execute(
                    text(
                        "INSERT INTO sync_checkpoints (client_id, integration_id, stream, state) "
                        "VALUES (:c, :i, :s, CAST(:st AS jsonb)) ON CONFLICT (integration_id, stream) "
                        "DO UPDATE SET state = EXCLUDED.state, last_updated_at = now()"
                    ),
                    {
                        "c": self.integration.client_id,
                        "i": self.integration.id,
                        "s": stream,
                        "st": json.dumps(checkpoint),
                    },
                )
        self.commits += 1

    def check_interrupted(self) -> None:
        return None

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        time.sleep(min(seconds, 5.0))

    def progress(self, *, step: str, percent: float | None = None, counts: dict[str, int] | None = None) -> None:
        self.progress_reports.append({"step": step, "percent": percent, "counts": dict(counts or {})})

    def log(self, level: str, message: str, **fields: Any) -> None:
        self.logs.append((level, message, fields))
