"""Flow metrics response shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pulse.analytics.dora.schemas import PeriodRead
from pulse.analytics.freshness.schemas import FreshnessRead


class Percentiles(BaseModel):
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None


class FlowThroughput(BaseModel):
    items: int
    per_week: float


class Wip(BaseModel):
    items: int


class StepTime(BaseModel):
    step: str
    category: str
    median_hours: float


class FlowSummary(BaseModel):
    period: PeriodRead
    cycle_time: Percentiles
    lead_time: Percentiles
    throughput: FlowThroughput
    wip: Wip
    time_in_step: list[StepTime]
    flow_efficiency: float | None
    reopen_rate: float | None
    freshness: FreshnessRead


class FlowTrendPoint(BaseModel):
    period_start: str
    cycle_time: Percentiles
    lead_time: Percentiles
    throughput: FlowThroughput
    flow_efficiency: float | None
    reopen_rate: float | None


class FlowTrend(BaseModel):
    granularity: str
    points: list[FlowTrendPoint]
    freshness: FreshnessRead


class FlowItem(BaseModel):
    id: int
    key: str
    summary: str
    issue_type: str
    project: str
    status: str
    opened_at: datetime
    cycle_started_at: datetime | None
    completed_at: datetime
    cycle_time_hours: float | None
    lead_time_hours: float
    active_hours: float
    reopened: bool


class FlowItemPage(BaseModel):
    items: list[FlowItem]
    total: int
    freshness: FreshnessRead
