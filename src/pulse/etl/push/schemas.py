"""Request and response shapes of the push API and of push-token rotation (strict: unknown fields are refused)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# A caller's key: what makes a push idempotent. No "/" so it can sit in a URL path.
Key = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@#+=-]*$")]
# GitHub `owner/name` or a GitLab `group/subgroup/project` path, as ingested.
RepositoryName = Annotated[str, Field(min_length=3, max_length=400, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")]
# An abbreviated (7+) or full SHA-1 commit id, or a full SHA-256 one.
Sha = Annotated[str, Field(pattern=r"^([0-9A-Fa-f]{7,40}|[0-9A-Fa-f]{64})$")]
DeploymentStatus = Literal["queued", "in_progress", "success", "failure", "error", "cancelled"]
FINISHED_STATUSES = ("success", "failure", "error", "cancelled")
# Clocks of CI runners drift; a timestamp further ahead than this is a mistake, not drift.
CLOCK_SKEW = timedelta(minutes=5)


def _not_in_future(value: datetime) -> datetime:
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


# ISO-8601 with a time zone (naive times are refused: whose clock would they be?), not in the future.
PastTime = Annotated[AwareDatetime, AfterValidator(_not_in_future)]


class Strict(BaseModel):
    """Refuses unknown fields, so a typo is a 422 instead of silently lost data."""

    model_config = ConfigDict(extra="forbid")


class DeploymentPush(Strict):
    """Body of `POST /push/{integration_id}/deployments`."""

    deployment_id: Key
    repository: RepositoryName
    environment: str = Field(min_length=1, max_length=100)
    sha: Sha
    ref: str | None = Field(default=None, min_length=1, max_length=255)
    status: DeploymentStatus
    started_at: PastTime
    # Validated when omitted too: a finished status needs it.
    finished_at: PastTime | None = Field(default=None, validate_default=True)

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("sha")
    @classmethod
    def _sha(cls, value: str) -> str:
        return value.lower()

    @field_validator("finished_at")
    @classmethod
    def _finished(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        status, started = info.data.get("status"), info.data.get("started_at")
        if value is None and status in FINISHED_STATUSES:
            raise ValueError(f"is required when status is {status}")
        if value is not None and status is not None and status not in FINISHED_STATUSES:
            raise ValueError(f"must be empty while status is {status}")
        if value is not None and started is not None and value < started:
            raise ValueError("must not be before started_at")
        return value


class DeploymentPushed(BaseModel):
    """A pushed deployment as stored (`created` says whether this push made it or updated it)."""

    id: int
    deployment_id: str
    repository: str
    repository_id: int
    environment: str
    sha: str
    ref: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    created: bool


class IncidentPush(Strict):
    """Body of `POST /push/{integration_id}/incidents`."""

    key: Key
    repository: RepositoryName
    title: str = Field(default="", max_length=500)
    severity: str | None = Field(default=None, min_length=1, max_length=50)
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    opened_at: PastTime
    resolved_at: PastTime | None = None

    @field_validator("resolved_at")
    @classmethod
    def _resolved(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        opened = info.data.get("opened_at")
        if value is not None and opened is not None and value < opened:
            raise ValueError("must not be before opened_at")
        return value


class IncidentResolve(Strict):
    """Body of `POST /push/{integration_id}/incidents/{key}/resolve` (optional: resolved now by default)."""

    resolved_at: PastTime | None = None


class IncidentPushed(BaseModel):
    """A pushed incident as stored."""

    id: int
    key: str
    repository: str
    repository_id: int
    title: str
    severity: str | None
    url: str | None
    status: str
    opened_at: datetime
    resolved_at: datetime | None
    created: bool


class PushTokenRead(BaseModel):
    """The live push token of an integration, without its secret."""

    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class PushTokenIssued(BaseModel):
    """A new push token: `token` is shown in this answer only and cannot be read again."""

    token: str
    prefix: str
    created_at: datetime
