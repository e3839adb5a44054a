"""Per-credential primary rate limits with fixed windows, like GitHub's core resource."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from pulse.sim.config import RateLimitKnobs


@dataclass(slots=True)
class Bucket:
    """One credential's budget in the current window."""

    used: int
    reset_at: float


@dataclass(frozen=True, slots=True)
class Quota:
    """What the rate-limit headers report."""

    limit: int
    remaining: int
    used: int
    reset: int

    @property
    def exhausted(self) -> bool:
        """Whether no request is left in the window."""
        return self.remaining <= 0


class RateLimiter:
    """Counts requests per credential; a window starts at the credential's first request."""

    def __init__(self, knobs: RateLimitKnobs, clock: Callable[[], float] = time.time) -> None:
        self.knobs = knobs
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}

    def configure(self, knobs: RateLimitKnobs) -> None:
        """Apply new limits; a shorter window takes effect at once."""
        self.knobs = knobs
        now = self.clock()
        for bucket in self.buckets.values():
            bucket.reset_at = min(bucket.reset_at, now + knobs.window_seconds)

    def _bucket(self, key: str) -> Bucket:
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None or now >= bucket.reset_at:
            bucket = Bucket(used=0, reset_at=now + self.knobs.window_seconds)
            self.buckets[key] = bucket
        return bucket

    def peek(self, key: str) -> Quota:
        """Current quota without using any of it."""
        bucket = self._bucket(key)
        limit = self.knobs.limit
        return Quota(limit, max(0, limit - bucket.used), bucket.used, math.ceil(bucket.reset_at))

    def charge(self, key: str, amount: int = 1) -> Quota:
        """Use `amount` (one request, or a GraphQL query's points) and return the quota after it."""
        self._bucket(key).used += amount
        return self.peek(key)

    def exhaust(self, key: str | None = None) -> None:
        """Use up the whole budget of one credential, or of every known one."""
        for name in [key] if key else list(self.buckets):
            self._bucket(name).used = max(self._bucket(name).used, self.knobs.limit)

    def seconds_to_reset(self, key: str) -> int:
        """Whole seconds until the credential's window renews."""
        return max(1, math.ceil(self._bucket(key).reset_at - self.clock()))

    def used(self) -> dict[str, int]:
        """Requests used per credential in the current windows."""
        return {key: self.peek(key).used for key in self.buckets}
