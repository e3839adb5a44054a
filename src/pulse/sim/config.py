"""Simulator configuration: the dataset spec, credentials and the runtime fault knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pulse.sim.dataset import DatasetSpec

DEFAULT_GITHUB_TOKEN = "sim-github-token"
DEFAULT_JIRA_EMAIL = "sim@example.com"
DEFAULT_JIRA_TOKEN = "sim-jira-token"
DEFAULT_GITLAB_TOKEN = "sim-gitlab-token"


class RateLimitKnobs(BaseModel):
    """Primary rate limit: a per-credential budget renewed every window."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(5000, ge=0)
    window_seconds: float = Field(3600.0, gt=0)


class Knobs(BaseModel):
    """Fault-injection and throttling knobs, changeable at run time through `/_sim/config`."""

    model_config = ConfigDict(extra="forbid")

    fault_seed: int = 0
    error_rate: float = Field(0.0, ge=0, le=1)
    drop_connection_rate: float = Field(0.0, ge=0, le=1)
    latency_ms: float = Field(0.0, ge=0)
    secondary_limit_every: int = Field(0, ge=0)
    secondary_retry_after: int = Field(1, ge=0)
    rate_limit: RateLimitKnobs = Field(default_factory=RateLimitKnobs)
    jira_rate_limit: RateLimitKnobs = Field(default_factory=lambda: RateLimitKnobs(limit=10_000, window_seconds=60))
    # GitLab.com allows 2,000 authenticated API requests a minute per user.
    gitlab_rate_limit: RateLimitKnobs = Field(default_factory=lambda: RateLimitKnobs(limit=2_000, window_seconds=60))

    def merged(self, patch: dict[str, Any]) -> Knobs:
        """A copy with `patch` applied (nested rate-limit objects merge key by key)."""
        data = self.model_dump()
        for key, value in patch.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return Knobs.model_validate(data)


def today_utc() -> datetime:
    """Start of the current UTC day: a default anchor that is recent yet stable for a day."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(slots=True)
class SimConfig:
    """Everything `create_app` needs."""

    dataset: DatasetSpec = field(default_factory=lambda: DatasetSpec(anchor=today_utc()))
    knobs: Knobs = field(default_factory=Knobs)
    github_tokens: dict[str, str] = field(default_factory=lambda: {DEFAULT_GITHUB_TOKEN: "pulse-sim"})
    jira_accounts: dict[str, str] = field(default_factory=lambda: {DEFAULT_JIRA_EMAIL: DEFAULT_JIRA_TOKEN})
    gitlab_tokens: dict[str, str] = field(default_factory=lambda: {DEFAULT_GITLAB_TOKEN: "pulse-sim"})
    jira_time_zone: str = "Europe/Berlin"
    secondary_status: int = 403
