"""DORA 2023 performance levels from a metric's value (None when there is no data to judge)."""

from __future__ import annotations

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
HOURS_PER_MONTH = 720.0  # 30 days


def deployment_frequency(deployments: int, per_week: float) -> str | None:
    """Elite: daily or more (>= 7 a week); high: weekly or more; medium: monthly or more; low: rarer."""
    if deployments == 0:
        return None
    if per_week >= 7:
        return "elite"
    if per_week >= 1:
        return "high"
    if per_week >= 7 / 30:
        return "medium"
    return "low"


def lead_time(median_hours: float | None) -> str | None:
    """Elite: under a day; high: under a week; medium: under a month; low: a month or more."""
    if median_hours is None:
        return None
    if median_hours < HOURS_PER_DAY:
        return "elite"
    if median_hours < HOURS_PER_WEEK:
        return "high"
    if median_hours < HOURS_PER_MONTH:
        return "medium"
    return "low"


def change_failure_rate(rate: float | None) -> str | None:
    """Elite: up to 5 %; high: up to 10 %; medium: up to 15 %; low: above."""
    if rate is None:
        return None
    if rate <= 0.05:
        return "elite"
    if rate <= 0.10:
        return "high"
    if rate <= 0.15:
        return "medium"
    return "low"


def recovery_time(median_hours: float | None) -> str | None:
    """Elite: under an hour; high: under a day; medium: under a week; low: a week or more."""
    if median_hours is None:
        return None
    if median_hours < 1:
        return "elite"
    if median_hours < HOURS_PER_DAY:
        return "high"
    if median_hours < HOURS_PER_WEEK:
        return "medium"
    return "low"
