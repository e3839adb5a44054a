"""Users: creation with the password policy; the admin routes build on these functions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.db.models import ROLES, User
from pulse.core.errors import Conflict, InvalidInput
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
