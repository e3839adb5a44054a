"""Audit trail shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    """One audit event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_type: str
    user_id: int | None
    actor_email: str | None
    ip_address: str | None
    details: dict[str, Any]
    created_at: datetime


class AuditPage(BaseModel):
    """One page of audit events, newest first."""

    items: list[AuditEventRead]
    total: int
