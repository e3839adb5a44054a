"""Users: creation with the password policy; the admin routes build on these functions."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.db.models import ROLES, User
from pulse.core.errors import Conflict, InvalidInput, NotFound
from pulse.core.security import hash_password


def normalise_email(email: str) -> str:
    """Emails are stored and compared lower-cased and trimmed."""
    return email.strip().lower()


def check_password_policy(*, password: str, email: str, settings: Settings) -> None:
    """Refuse weak passwords with a message naming the rule."""
    if len(password) < settings.password_min_length:
        raise InvalidInput(f"password must be at least {settings.password_min_length} characters", field="password")
    if password.strip().lower() == normalise_email(email):
        raise InvalidInput("password must not be the email address", field="password")


def create(
    *,
    db_session: Session,
    settings: Settings,
    client_id: int,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user in a tenant; refuses a taken email (case-insensitive), unknown roles, weak passwords."""
    address = normalise_email(email)
    if "@" not in address or address.startswith("@") or len(address) > 320:
        raise InvalidInput("email is not a valid address", field="email")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    check_password_policy(password=password, email=address, settings=settings)
    if db_session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"a user with email {address} already exists", field="email")
    user = User(
        client_id=client_id,
        email=address,
        password_hash=hash_password(password, iterations=settings.password_iterations),
        role=role,
        is_admin=role == "admin",
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    db_session.add(user)
    try:
        db_session.flush()
    except IntegrityError as exc:  # a concurrent create took the email between the check and the insert
        raise Conflict(f"a user with email {address} already exists", field="email") from exc
    return user


def get_in_tenant(*, db_session: Session, client_id: int, user_id: int) -> User:
    """A user of the tenant, or NotFound (also for other tenants' users)."""
    user = db_session.scalar(select(User).where(User.id == user_id, User.client_id == client_id))
    if user is None:
        raise NotFound("user not found")
    return user


def list_users(
    *, db_session: Session, client_id: int, search: str | None, limit: int, offset: int
) -> tuple[list[User], int]:
    """The tenant's users matching a search over email and names, ordered by email, with the total."""
    where = [User.client_id == client_id]
    if search and search.strip():
        pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.first_name).like(pattern, escape="\\"),
                func.lower(User.last_name).like(pattern, escape="\\"),
            )
        )
    total = db_session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = db_session.scalars(select(User).where(*where).order_by(User.email).limit(limit).offset(offset)).all()
    return list(rows), total


def update(*, db_session: Session, user: User, first_name: str | None, last_name: str | None, role: str | None) -> bool:
    """Change names and role; returns whether the role changed (the caller publishes that)."""
    if first_name is not None:
        user.first_name = first_name.strip()
    if last_name is not None:
        user.last_name = last_name.strip()
    role_changed = role is not None and role != user.role
    if role is not None:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
        user.role = role
        user.is_admin = role == "admin"
    db_session.flush()
    return role_changed


def deactivate(*, db_session: Session, user: User) -> None:
    """Mark a user inactive (the caller ends the sessions); nothing is deleted."""
    user.active = False
    db_session.flush()
