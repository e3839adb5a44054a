"""DORA response shapes (the web app is built against these)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pulse.analytics.freshness.schemas import FreshnessRead


class PeriodRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    tz: str


class DeploymentFrequency(BaseModel):
    deployments: int
    deployment_days: int
    per_week: float
    level: str | None


class LeadTime(BaseModel):
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None
    changes: int
    level: str | None


class ChangeFailureRate(BaseModel):
    rate: float | None
    failed_deployments: int
    deployments: int
    level: str | None


class RecoveryTime(BaseModel):
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None
    incidents: int
    level: str | None


class TimeToRestore(BaseModel):
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None
    incidents: int


class DoraPoint(BaseModel):
    deployment_frequency: DeploymentFrequency
    lead_time_for_changes: LeadTime
    change_failure_rate: ChangeFailureRate
    failed_deployment_recovery_time: RecoveryTime
    time_to_restore: TimeToRestore


class DoraSummary(DoraPoint):
    period: PeriodRead
    freshness: FreshnessRead


class DoraTrendPoint(DoraPoint):
    period_start: str


class DoraTrend(BaseModel):
    granularity: str
    points: list[DoraTrendPoint]
    freshness: FreshnessRead


class DeploymentItem(BaseModel):
    id: int
    # The integration type the row came from: github, gitlab, push (changes: github, gitlab).
    source: str
    repository: str
    environment: str
    sha: str
    status: str
    finished_at: datetime
    changes: int
    incidents: int
    failed: bool


class DeploymentItemPage(BaseModel):
    items: list[DeploymentItem]
    total: int
    freshness: FreshnessRead


class ChangeItem(BaseModel):
    pull_request_id: int
    source: str
    repository: str
    number: int
    title: str
    author: str | None
    first_commit_at: datetime | None
    opened_at: datetime
    first_review_at: datetime | None
    merged_at: datetime | None
    deployed_at: datetime
    deployment_id: int
    coding_hours: float | None
    pickup_hours: float | None
    review_hours: float | None
    deploy_hours: float | None
    lead_time_hours: float


class ChangeItemPage(BaseModel):
    items: list[ChangeItem]
    total: int
    freshness: FreshnessRead


class IncidentItem(BaseModel):
    id: int
    source: str
    key: str
    title: str
    opened_at: datetime
    resolved_at: datetime | None
    deployment_id: int | None
    recovery_hours: float | None
    time_to_restore_hours: float | None


class IncidentItemPage(BaseModel):
    items: list[IncidentItem]
    total: int
    freshness: FreshnessRead
