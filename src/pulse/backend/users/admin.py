"""User administration within a tenant, with the escalation rules and revocation events it needs.

An actor may not hand out a role above their own, manage a user whose role is above their own, or grant a
permission they do not hold themselves. Other tenants' users are NotFound.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from pulse.backend import events
from pulse.backend.audit import service as audit_service
from pulse.backend.auth.service import Principal, RequestMeta
from pulse.backend.rbac import service as rbac_service
from pulse.backend.rbac.service import ROLE_RANK
from pulse.backend.sessions import service as session_service
from pulse.backend.users import service as user_service
from pulse.core.config import Settings
from pulse.core.db.models import User
from pulse.core.errors import Conflict, PermissionDenied
from pulse.core.logging import get_logger

log = get_logger(__name__)


def _audit(db_session: Session, actor: Principal, meta: RequestMeta, event_type: str, **details: object) -> None:
    audit_service.record(
        db_session=db_session,
        event_type=event_type,
        client_id=actor.client_id,
        user_id=actor.user_id,
        actor_email=actor.email,
        ip_address=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        details=dict(details),
    )


def _check_role(actor: Principal, role: str) -> None:
    if ROLE_RANK.get(role, 99) > ROLE_RANK[actor.role]:
        raise PermissionDenied(f"you cannot give the role {role!r}, which is above your own", field="role")


def _check_target(actor: Principal, target: User) -> None:
    if ROLE_RANK[target.role] > ROLE_RANK[actor.role]:
        raise PermissionDenied("you cannot manage a user whose role is above your own")


def load(*, db_session: Session, actor: Principal, user_id: int) -> User:
    """A user of the actor's tenant, or NotFound."""
    return user_service.get_in_tenant(db_session=db_session, client_id=actor.client_id, user_id=user_id)


def create(
    *,
    db_session: Session,
    settings: Settings,
    actor: Principal,
    meta: RequestMeta,
    email: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
) -> User:
    """Create a user in the actor's tenant, with a role no higher than the actor's."""
    _check_role(actor, role)
    user = user_service.create(
        db_session=db_session,
        settings=settings,
        client_id=actor.client_id,
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    _audit(db_session, actor, meta, "user_created", target_user_id=user.id, email=user.email, role=role)
    return user


def update(
    *,
    db_session: Session,
    actor: Principal,
    meta: RequestMeta,
    user: User,
    first_name: str | None,
    last_name: str | None,
    role: str | None,
) -> User:
    """Rename or change the role of a user; their live sessions see the change on their next request."""
    _check_target(actor, user)
    if role is not None:
        _check_role(actor, role)
    before = user.role
    role_changed = user_service.update(
        db_session=db_session, user=user, first_name=first_name, last_name=last_name, role=role
    )
    # Names and role are part of every validation answer: caches must drop the user's either way.
    events.publish(db_session=db_session, kind="user_changed", user_id=user.id, client_id=user.client_id)
    if role_changed:
        _audit(db_session, actor, meta, "user_role_changed", target_user_id=user.id, before=before, after=user.role)
        log.info("user_role_changed", target_user_id=user.id, before=before, after=user.role)
    else:
        _audit(db_session, actor, meta, "user_updated", target_user_id=user.id)
    return user


def deactivate(*, db_session: Session, actor: Principal, meta: RequestMeta, user: User) -> int:
    """Deactivate a user and end all their sessions at once; returns how many ended."""
    _check_target(actor, user)
    if user.id == actor.user_id:
        raise Conflict("you cannot deactivate yourself")
    user_service.deactivate(db_session=db_session, user=user)
    ended = session_service.end(
        db_session=db_session, reason="user_deactivated", client_id=user.client_id, user_id=user.id
    )
    events.publish(db_session=db_session, kind="user_changed", user_id=user.id, client_id=user.client_id)
    _audit(db_session, actor, meta, "user_deactivated", target_user_id=user.id, sessions_ended=len(ended))
    log.info("user_deactivated", target_user_id=user.id, sessions_ended=len(ended))
    return len(ended)


def terminate_sessions(*, db_session: Session, actor: Principal, meta: RequestMeta, user: User) -> int:
    """End every session of a user of the tenant; returns how many ended."""
    _check_target(actor, user)
    ended = session_service.end(db_session=db_session, reason="terminated", client_id=user.client_id, user_id=user.id)
    _audit(db_session, actor, meta, "user_sessions_terminated", target_user_id=user.id, sessions_ended=len(ended))
    log.info("session_invalidated", target_user_id=user.id, sessions_ended=len(ended), reason="terminated")
    return len(ended)


def set_permissions(
    *,
    db_session: Session,
    actor: Principal,
    meta: RequestMeta,
    user: User,
    overrides: list[tuple[str, str, bool]],
) -> None:
    """Replace a user's overrides; grants are limited to what the actor holds."""
    _check_target(actor, user)
    for resource, action, granted in overrides:
        if granted and not actor.can(resource, action):
            raise PermissionDenied(f"you cannot grant {resource}:{action}, which you do not hold", field="overrides")
    before = rbac_service.overrides_of(db_session=db_session, user_id=user.id)
    rbac_service.replace_overrides(db_session=db_session, user=user, overrides=overrides)
    events.publish(db_session=db_session, kind="user_changed", user_id=user.id, client_id=user.client_id)
    _audit(
        db_session,
        actor,
        meta,
        "user_permissions_changed",
        target_user_id=user.id,
        before=[list(o) for o in before],
        after=[list(o) for o in overrides],
    )


def end_session(*, db_session: Session, actor: Principal, meta: RequestMeta, session_id: uuid.UUID) -> None:
    """Terminate one session of the tenant (idempotent for an already-ended one)."""
    row = session_service.get(db_session=db_session, client_id=actor.client_id, session_id=session_id)
    target = user_service.get_in_tenant(db_session=db_session, client_id=actor.client_id, user_id=row.user_id)
    _check_target(actor, target)
    ended = session_service.end(
        db_session=db_session, reason="terminated", client_id=actor.client_id, session_ids=[row.id]
    )
    if ended:
        _audit(db_session, actor, meta, "session_terminated", session_id=str(row.id), target_user_id=row.user_id)
        log.info("session_invalidated", target_session_id=str(row.id), reason="terminated")
