"""Request and response shapes of `/api/v1/integrations` (credentials are write-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pulse.etl.push.schemas import PushTokenIssued


class IntegrationBase(BaseModel):
    """Fields shared by create and read."""

    name: str = Field(min_length=1, max_length=200)
    # Empty only for push integrations (the service checks it per type).
    base_url: str = Field(max_length=2000)
    settings: dict[str, Any] = Field(default_factory=dict)


class IntegrationCreate(IntegrationBase):
    """Body of `POST /integrations` and `POST /integrations/test`."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=32)
    base_url: str = Field(default="", max_length=2000)
    credentials: dict[str, str] = Field(default_factory=dict)


class IntegrationUpdate(BaseModel):
    """Body of `PATCH /integrations/{id}`: any subset; credentials replace the stored ones."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    base_url: str | None = Field(default=None, min_length=1, max_length=2000)
    settings: dict[str, Any] | None = None
    credentials: dict[str, str] | None = None
    active: bool | None = None


class LastSync(BaseModel):
    """The integration's latest run."""

    job_run_id: int
    status: str
    finished_at: datetime | None


class IntegrationRead(IntegrationBase):
    """An integration as the API shows it: never its credentials."""

    id: int
    type: str
    active: bool
    has_credentials: bool
    created_at: datetime
    last_updated_at: datetime
    last_sync: LastSync | None


class IntegrationCreated(IntegrationRead):
    """The answer to `POST /integrations`: a push integration's token is shown here once, never again."""

    push_token: PushTokenIssued | None = None


class IntegrationPage(BaseModel):
    """A page of integrations."""

    items: list[IntegrationRead]
    total: int


class ConnectionTestResult(BaseModel):
    """What `test_connection` said."""

    ok: bool
    message: str
