"""User administration bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pulse.backend.schemas import Action, PermissionRead, Resource, Role, Text


class UserBase(BaseModel):
    """Names shared by create and update."""

    first_name: Text = Field(default="", max_length=200)
    last_name: Text = Field(default="", max_length=200)


class UserCreate(UserBase):
    """A new user of the caller's tenant."""

    email: Text = Field(min_length=3, max_length=320)
    password: Text = Field(min_length=1, max_length=1024)
    role: Role


class UserUpdate(BaseModel):
    """Fields an admin may change (all optional)."""

    first_name: Text | None = Field(default=None, max_length=200)
    last_name: Text | None = Field(default=None, max_length=200)
    role: Role | None = None


class UserRead(BaseModel):
    """A user as the admin pages see it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    is_admin: bool
    active: bool
    last_login_at: datetime | None
    created_at: datetime


class UserPage(BaseModel):
    """One page of users."""

    items: list[UserRead]
    total: int


class Override(BaseModel):
    """Grant (`granted: true`) or deny one permission regardless of the role."""

    resource: Resource
    action: Action
    granted: bool


class PermissionsRead(BaseModel):
    """A user's role, overrides and the effective result."""

    role: str
    overrides: list[Override]
    effective: list[PermissionRead]


class PermissionsUpdate(BaseModel):
    """The complete new list of overrides."""

    overrides: list[Override] = Field(max_length=64)


class SessionsEnded(BaseModel):
    """How many sessions ended."""

    ok: bool = True
    sessions_ended: int


class MatrixRead(BaseModel):
    """Roles, resources, actions and which actions each role holds on each resource by default."""

    roles: list[str]
    resources: list[str]
    actions: list[str]
    matrix: dict[str, dict[str, list[str]]]
