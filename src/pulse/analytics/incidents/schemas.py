"""Incident read-back shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pulse.analytics.freshness.schemas import FreshnessRead


class IncidentRead(BaseModel):
    id: int
    source: str
    key: str
    title: str
    opened_at: datetime
    resolved_at: datetime | None
    state: str
    repository_ids: list[int]
    deployment_id: int | None
    time_to_restore_hours: float | None


class IncidentPage(BaseModel):
    items: list[IncidentRead]
    total: int
    freshness: FreshnessRead
