"""Shapes of `/api/v1/jobs` and the job events stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from pulse.core.db.models import JobEvent, JobRun
from pulse.etl.connectors.base.http import requests_spent


class JobBudget(BaseModel):
    """The source's rate limit as a run used it: REST requests and GraphQL points spent, and what is left."""

    requests_spent: int
    points_spent: int | None
    requests_left: int | None
    points_left: int | None

    @classmethod
    def of(cls, counts: dict[str, int]) -> JobBudget | None:
        """From a run's progress counts (None before the run made a request)."""
        if "requests" not in counts:
            return None
        return cls(
            requests_spent=requests_spent(counts),
            points_spent=counts.get("points"),
            requests_left=counts.get("requests_remaining"),
            points_left=counts.get("points_remaining"),
        )


class JobRead(BaseModel):
    """A job run as the API and the events stream show it."""

    id: int
    integration_id: int
    status: str
    step: str | None
    percent: float | None
    counts: dict[str, int]
    budget: JobBudget | None
    attempt: int
    max_attempts: int
    trigger: str
    requested_action: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None

    @classmethod
    def of(cls, run: JobRun) -> JobRead:
        """From the ORM row."""
        counts = {str(k): int(v) for k, v in (run.counts or {}).items()}
        return cls(
            id=run.id,
            integration_id=run.integration_id,
            status=run.status,
            step=run.step,
            percent=run.percent,
            counts=counts,
            budget=JobBudget.of(counts),
            attempt=run.attempt,
            max_attempts=run.max_attempts,
            trigger=run.trigger,
            requested_action=run.requested_action,
            error=run.error,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            heartbeat_at=run.heartbeat_at,
        )


class JobPage(BaseModel):
    """A page of runs, newest first."""

    items: list[JobRead]
    total: int


class JobStarted(BaseModel):
    """Answer of `POST /integrations/{id}/sync`."""

    job_run_id: int


class JobEventRead(BaseModel):
    """One log event of a run."""

    id: int
    level: str
    message: str
    fields: dict[str, Any]
    at: datetime

    @classmethod
    def of(cls, event: JobEvent) -> JobEventRead:
        """From the ORM row."""
        return cls(id=event.id, level=event.level, message=event.message, fields=event.fields, at=event.created_at)


class JobEventPage(BaseModel):
    """A page of a run's events, oldest first."""

    items: list[JobEventRead]
    total: int
