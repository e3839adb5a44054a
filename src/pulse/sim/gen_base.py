"""Shared generation helpers: deterministic shas, second-precise times and the seeded context."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from pulse.sim.model import (
    PullRequest,
    Team,
    WorkItem,
)
from pulse.sim.store import Dataset


def sha_of(*parts: object) -> str:
    """Deterministic 40-hex sha from its parts."""
    return hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def secs(base: datetime, seconds: float) -> datetime:
    """`base` plus whole seconds (timestamps stay second-precise like the real APIs)."""
    return base + timedelta(seconds=int(seconds))


class Gen:
    """Shared generation context: the dataset being built and a seeded RNG."""

    def __init__(self, ds: Dataset, rng: random.Random, horizon: datetime) -> None:
        self.ds = ds
        self.rng = rng
        self.horizon = horizon
        self.pending_labels: list[tuple[PullRequest, WorkItem | None]] = []

    def hours(self, lo: float, hi: float) -> float:
        """Uniform duration in seconds between lo and hi hours."""
        return self.rng.uniform(lo, hi) * 3600

    def work_time(self, start: datetime, end: datetime) -> datetime:
        """A random time in [start, end) biased to weekday working hours."""
        span_days = max((end - start).total_seconds() / 86400, 1 / 24)
        for _ in range(6):
            day = start + timedelta(days=int(self.rng.random() * span_days))
            if day.weekday() < 5 or self.rng.random() < 0.1:
                break
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = secs(midnight, self.rng.uniform(7.5, 18.5) * 3600)
        return min(max(moment, start), end)

    def member(self, team: Team, exclude: str | None = None) -> str:
        """A random member of a team other than `exclude`."""
        choices = [m for m in team.members if m != exclude] or team.members
        return self.rng.choice(choices)
