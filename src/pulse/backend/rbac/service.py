"""Effective permissions: the role's defaults, then per-user overrides that grant or deny."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pulse.core.db.models import ACTIONS, RESOURCES, ROLES, User, UserPermission
from pulse.core.errors import InvalidInput

Permission = tuple[str, str]

# Higher rank may manage lower or equal rank; nobody may hand out a rank above their own.
ROLE_RANK = {"view": 0, "user": 1, "admin": 2}

DEFAULT_MATRIX: dict[str, frozenset[Permission]] = {
    "admin": frozenset((r, a) for r in RESOURCES for a in ACTIONS),
    "user": frozenset({("dashboards", "read"), ("integrations", "read"), ("etl_jobs", "read"), ("logs", "read")}),
    "view": frozenset({("dashboards", "read")}),
}


def effective(role: str, overrides: Iterable[tuple[str, str, bool]]) -> frozenset[Permission]:
    """The role's defaults with each override applied (grant adds, deny removes)."""
    result = set(DEFAULT_MATRIX.get(role, frozenset()))
    for resource, action, granted in overrides:
        if granted:
            result.add((resource, action))
        else:
            result.discard((resource, action))
    return frozenset(result)


def matrix() -> dict[str, object]:
    """The default role matrix, for the admin page."""
    return {
        "roles": list(ROLES),
        "resources": list(RESOURCES),
        "actions": list(ACTIONS),
        "matrix": {
            role: {
                resource: [a for a in ACTIONS if (resource, a) in DEFAULT_MATRIX[role]]
                for resource in RESOURCES
                if any((resource, a) in DEFAULT_MATRIX[role] for a in ACTIONS)
            }
            for role in ROLES
        },
    }


def overrides_of(*, db_session: Session, user_id: int) -> list[tuple[str, str, bool]]:
    """A user's overrides as `(resource, action, granted)`."""
    rows = db_session.execute(
        select(UserPermission.resource, UserPermission.action, UserPermission.granted)
        .where(UserPermission.user_id == user_id, UserPermission.active)
        .order_by(UserPermission.resource, UserPermission.action)
    ).all()
    return [(r, a, g) for r, a, g in rows]


def replace_overrides(*, db_session: Session, user: User, overrides: list[tuple[str, str, bool]]) -> None:
    """Replace every override of a user with the given list (duplicates refused)."""
    seen: set[Permission] = set()
    for resource, action, _ in overrides:
        if resource not in RESOURCES:
            raise InvalidInput(f"unknown resource {resource!r}", field="overrides.resource")
        if action not in ACTIONS:
            raise InvalidInput(f"unknown action {action!r}", field="overrides.action")
        if (resource, action) in seen:
            raise InvalidInput(f"{resource}:{action} is listed twice", field="overrides")
        seen.add((resource, action))
    db_session.execute(delete(UserPermission).where(UserPermission.user_id == user.id))
    db_session.add_all(
        UserPermission(client_id=user.client_id, user_id=user.id, resource=r, action=a, granted=g)
        for r, a, g in overrides
    )
    db_session.flush()
