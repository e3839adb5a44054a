"""Simulator configuration: the dataset spec, credentials and the runtime fault knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pulse.sim.dataset import DatasetSpec

DEFAULT_GITHUB_TOKEN = "sim-github-token"
DEFAULT_JIRA_EMAIL = "sim@example.com"
DEFAULT_JIRA_TOKEN = "sim-jira-token"
DEFAULT_PAGERDUTY_TOKEN = "sim-pagerduty-token"
DEFAULT_OPSGENIE_KEY = "sim-opsgenie-key"
DEFAULT_GITLAB_TOKEN = "sim-gitlab-token"


class RateLimitKnobs(BaseModel):
    """Primary rate limit: a per-credential budget renewed every window."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(5000, ge=0)
    window_seconds: float = Field(3600.0, gt=0)


class GraphQLKnobs(BaseModel):
    """The GraphQL endpoint: on/off, its own points budget, and faults only GraphQL queries get."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    rate_limit: RateLimitKnobs = Field(default_factory=RateLimitKnobs)
    fail_next: int = Field(0, ge=0, description="answer the next N queries with 502")
    max_page_size: int = Field(0, ge=0, description="502 for queries asking more than K nodes of a connection")
    secondary_next: int = Field(0, ge=0, description="answer the next N queries with a secondary limit")
    rate_limited_next: int = Field(0, ge=0, description="answer the next N queries with RATE_LIMITED")
    repository_errors: dict[str, Literal["NOT_FOUND", "FORBIDDEN"]] = Field(default_factory=dict)


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
    graphql: GraphQLKnobs = Field(default_factory=GraphQLKnobs)
    # PagerDuty allows 960 requests a minute per token; Opsgenie's plans are similar per API key.
    incident_rate_limit: RateLimitKnobs = Field(default_factory=lambda: RateLimitKnobs(limit=960, window_seconds=60))
    # GitLab.com allows 2,000 authenticated API requests a minute per user.
    gitlab_rate_limit: RateLimitKnobs = Field(default_factory=lambda: RateLimitKnobs(limit=2_000, window_seconds=60))

    def merged(self, patch: dict[str, Any]) -> Knobs:
        """A copy with `patch` applied (nested objects such as rate limits merge key by key)."""
        return Knobs.model_validate(_merge(self.model_dump(), patch))


def _merge(data: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key, value in patch.items():
        # `repository_errors` is a map the caller replaces as a whole, not a nested knob object.
        nested = isinstance(value, dict) and isinstance(out.get(key), dict) and key != "repository_errors"
        out[key] = _merge(out[key], value) if nested else value
    return out


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
    pagerduty_tokens: dict[str, str] = field(default_factory=lambda: {DEFAULT_PAGERDUTY_TOKEN: "pulse-sim"})
    opsgenie_keys: dict[str, str] = field(default_factory=lambda: {DEFAULT_OPSGENIE_KEY: "pulse-sim"})
    gitlab_tokens: dict[str, str] = field(default_factory=lambda: {DEFAULT_GITLAB_TOKEN: "pulse-sim"})
    jira_time_zone: str = "Europe/Berlin"
    secondary_status: int = 403
