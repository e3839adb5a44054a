"""Session listing shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class SessionRead(BaseModel):
    """A live session of the tenant; `is_current` marks the caller's own."""

    id: uuid.UUID
    user_id: int
    user_email: str
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    is_current: bool


class SessionPage(BaseModel):
    """One page of sessions."""

    items: list[SessionRead]
    total: int


class SessionEnded(BaseModel):
    """The terminated session."""

    ok: bool = True
    session_id: uuid.UUID
