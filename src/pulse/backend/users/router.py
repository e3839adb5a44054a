"""User administration routes (tenant-scoped)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy.orm import Session

from pulse.backend.deps import AppSettings, CurrentPrincipal, DbSession, Meta, require
from pulse.backend.rbac import service as rbac_service
from pulse.backend.schemas import Text, permission_list
from pulse.backend.users import admin, schemas
from pulse.backend.users import service as user_service
from pulse.core.db.models import User

router = APIRouter(prefix="/admin", tags=["users"])

MAX_ID = 2**63 - 1


def get_target_user(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: CurrentPrincipal, db_session: DbSession
) -> User:
    """Load a user of the caller's tenant or 404."""
    return admin.load(db_session=db_session, actor=principal, user_id=user_id)


TargetUser = Annotated[User, Depends(get_target_user)]


def _permissions(db_session: Session, user: User) -> schemas.PermissionsRead:
    overrides = rbac_service.overrides_of(db_session=db_session, user_id=user.id)
    return schemas.PermissionsRead(
        role=user.role,
        overrides=[schemas.Override(resource=r, action=a, granted=g) for r, a, g in overrides],
        effective=permission_list(rbac_service.effective(user.role, overrides)),
    )


@router.get("/users", response_model=schemas.UserPage, dependencies=[require("users", "read")])
def list_users(
    principal: CurrentPrincipal,
    db_session: DbSession,
    search: Annotated[Text | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> schemas.UserPage:
    """The tenant's users, searchable by email and name, paginated."""
    rows, total = user_service.list_users(
        db_session=db_session, client_id=principal.client_id, search=search, limit=limit, offset=offset
    )
    return schemas.UserPage(items=[schemas.UserRead.model_validate(u) for u in rows], total=total)


@router.post(
    "/users",
    response_model=schemas.UserRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require("users", "admin")],
)
def create_user(
    body: schemas.UserCreate, principal: CurrentPrincipal, db_session: DbSession, settings: AppSettings, meta: Meta
) -> User:
    """Create a user in the caller's tenant (role no higher than the caller's)."""
    return admin.create(
        db_session=db_session,
        settings=settings,
        actor=principal,
        meta=meta,
        email=body.email,
        password=body.password,
        role=body.role,
        first_name=body.first_name,
        last_name=body.last_name,
    )


@router.get("/users/{user_id}", response_model=schemas.UserRead, dependencies=[require("users", "read")])
def get_user(user: TargetUser) -> User:
    """One user of the tenant."""
    return user


@router.patch("/users/{user_id}", response_model=schemas.UserRead, dependencies=[require("users", "admin")])
def update_user(
    body: schemas.UserUpdate, user: TargetUser, principal: CurrentPrincipal, db_session: DbSession, meta: Meta
) -> User:
    """Change a user's names or role."""
    return admin.update(
        db_session=db_session,
        actor=principal,
        meta=meta,
        user=user,
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
    )


@router.post("/users/{user_id}/deactivate", response_model=schemas.UserRead, dependencies=[require("users", "admin")])
def deactivate_user(user: TargetUser, principal: CurrentPrincipal, db_session: DbSession, meta: Meta) -> User:
    """Deactivate a user; their sessions end at once."""
    admin.deactivate(db_session=db_session, actor=principal, meta=meta, user=user)
    return user


@router.post(
    "/users/{user_id}/sessions/terminate",
    response_model=schemas.SessionsEnded,
    dependencies=[require("sessions", "delete")],
)
def terminate_user_sessions(
    user: TargetUser, principal: CurrentPrincipal, db_session: DbSession, meta: Meta
) -> schemas.SessionsEnded:
    """End every session of one user."""
    ended = admin.terminate_sessions(db_session=db_session, actor=principal, meta=meta, user=user)
    return schemas.SessionsEnded(sessions_ended=ended)


@router.get(
    "/users/{user_id}/permissions", response_model=schemas.PermissionsRead, dependencies=[require("users", "read")]
)
def get_user_permissions(user: TargetUser, db_session: DbSession) -> schemas.PermissionsRead:
    """A user's role, overrides and effective permissions."""
    return _permissions(db_session, user)


@router.put(
    "/users/{user_id}/permissions", response_model=schemas.PermissionsRead, dependencies=[require("users", "admin")]
)
def put_user_permissions(
    body: schemas.PermissionsUpdate, user: TargetUser, principal: CurrentPrincipal, db_session: DbSession, meta: Meta
) -> schemas.PermissionsRead:
    """Replace a user's overrides (grants limited to what the caller holds)."""
    admin.set_permissions(
        db_session=db_session,
        actor=principal,
        meta=meta,
        user=user,
        overrides=[(o.resource, o.action, o.granted) for o in body.overrides],
    )
    return _permissions(db_session, user)


@router.get("/permissions/matrix", dependencies=[require("users", "read")], response_model=schemas.MatrixRead)
def permission_matrix() -> dict[str, object]:
    """The default role matrix."""
    return rbac_service.matrix()
