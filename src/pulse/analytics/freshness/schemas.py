"""The freshness every metric answer carries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FreshnessRead(BaseModel):
    """When the facts behind an answer were built, and whether a rebuild of them is due or running."""

    as_of: datetime | None = Field(description="When the tenant's facts were last rebuilt (null: never).")
    pending: bool = Field(description="True while a settings write or a sync is not in the facts yet.")
