"""Wire shapes shared by several Backend routers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it as bad input instead of failing in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string PostgreSQL can store."""

Resource = Literal["etl_jobs", "integrations", "dashboards", "admin_panel", "users", "sessions", "settings", "logs"]
Action = Literal["read", "execute", "delete", "admin"]
Role = Literal["admin", "user", "view"]


class PermissionRead(BaseModel):
    """One effective permission."""

    resource: str
    action: str


class UserBrief(BaseModel):
    """The user as login, validate and me describe it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    is_admin: bool
    client_id: int


class Message(BaseModel):
    """A plain acknowledgement."""

    ok: bool = True
    message: str


def permission_list(permissions: Iterable[tuple[str, str]]) -> list[PermissionRead]:
    """Effective permissions in a stable order."""
    return [PermissionRead(resource=r, action=a) for r, a in sorted(permissions)]
