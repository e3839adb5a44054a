"""Pull request analytics response shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pulse.analytics.dora.schemas import PeriodRead
from pulse.analytics.freshness.schemas import FreshnessRead


class CycleTime(BaseModel):
    coding_hours: float | None
    pickup_hours: float | None
    review_hours: float | None
    deploy_hours: float | None
    total_hours: float | None


class Throughput(BaseModel):
    merged: int
    per_week: float


class Size(BaseModel):
    median_lines: float | None
    median_files: float | None


class Review(BaseModel):
    median_reviews: float | None
    median_comments: float | None
    review_cycles: float | None


class Rework(BaseModel):
    rate: float | None


class PullRequestPoint(BaseModel):
    cycle_time: CycleTime
    throughput: Throughput
    size: Size
    review: Review
    rework: Rework


class PullRequestSummary(PullRequestPoint):
    period: PeriodRead
    freshness: FreshnessRead


class PullRequestTrendPoint(PullRequestPoint):
    period_start: str


class PullRequestTrend(BaseModel):
    granularity: str
    points: list[PullRequestTrendPoint]
    freshness: FreshnessRead


class PullRequestItem(BaseModel):
    pull_request_id: int
    repository: str
    number: int
    title: str
    author: str | None
    first_commit_at: datetime | None
    opened_at: datetime
    first_review_at: datetime | None
    merged_at: datetime
    deployed_at: datetime | None
    deployment_id: int | None
    coding_hours: float | None
    pickup_hours: float | None
    review_hours: float | None
    deploy_hours: float | None
    total_hours: float | None
    lines: int | None
    files: int | None
    reviews: int
    comments: int
    review_cycles: int
    rework_commits: int


class PullRequestItemPage(BaseModel):
    items: list[PullRequestItem]
    total: int
    freshness: FreshnessRead
