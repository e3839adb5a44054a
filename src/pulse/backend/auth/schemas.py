"""Auth request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from pulse.backend.schemas import PermissionRead, Text, UserBrief, permission_list

if TYPE_CHECKING:
    from pulse.backend.auth.service import Principal


class LoginRequest(BaseModel):
    """Credentials."""

    email: Text = Field(min_length=1, max_length=320)
    password: Text = Field(min_length=1, max_length=1024)


class LoginResponse(BaseModel):
    """A new session's token and who it belongs to."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    session_id: uuid.UUID
    expires_at: datetime
    user: UserBrief
    permissions: list[PermissionRead]


class ValidateResponse(BaseModel):
    """What the ETL Service learns about a valid token."""

    valid: Literal[True] = True
    session_id: uuid.UUID
    user: UserBrief
    permissions: list[PermissionRead]
    expires_at: datetime


def validate_answer(principal: Principal) -> bytes:
    """The JSON body of `/auth/validate` for a caller."""
    return (
        ValidateResponse(
            session_id=principal.session_id,
            user=UserBrief(**principal.user_dict()),
            permissions=permission_list(principal.permissions),
            expires_at=principal.expires_at,
        )
        .model_dump_json()
        .encode()
    )


class MeResponse(BaseModel):
    """The caller's user, effective permissions and session."""

    user: UserBrief
    permissions: list[PermissionRead]
    session_id: uuid.UUID
    expires_at: datetime


class LogoutResponse(BaseModel):
    """The ended session."""

    ok: bool = True
    session_id: uuid.UUID


class ChangePasswordRequest(BaseModel):
    """The current password and the new one."""

    current_password: Text = Field(min_length=1, max_length=1024)
    new_password: Text = Field(min_length=1, max_length=1024)


class ChangePasswordResponse(BaseModel):
    """How many other sessions were ended."""

    ok: bool = True
    sessions_ended: int


class CurrentSessionResponse(BaseModel):
    """The calling session, so a page can spot itself in the session list."""

    session_id: uuid.UUID
    user_id: int
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None


def login_answer(
    *,
    token: str,
    session_id: uuid.UUID,
    expires_at: datetime,
    user: object,
    permissions: frozenset[tuple[str, str]],
) -> bytes:
    """The JSON body of a successful `/auth/login` (`user` has UserBrief's attributes)."""
    return (
        LoginResponse(
            token=token,
            session_id=session_id,
            expires_at=expires_at,
            user=UserBrief.model_validate(user),
            permissions=permission_list(permissions),
        )
        .model_dump_json()
        .encode()
    )
