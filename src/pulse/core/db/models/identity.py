"""Identity models owned by the Backend Service: tenants, users, sessions, permissions, audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Identity, Index, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from pulse.core.db.models.base import Base, BaseEntity, Timestamp, Timestamps

ROLES = ("admin", "user", "view")
RESOURCES = ("etl_jobs", "integrations", "dashboards", "admin_panel", "users", "sessions", "settings", "logs")
ACTIONS = ("read", "execute", "delete", "admin")


class Client(Base, Timestamps):
    """A tenant."""

    __tablename__ = "clients"
    __table_args__ = (Index("uq_clients_name", func.lower(text("name")), unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)


class User(Base, BaseEntity):
    """A person who signs in; the email is unique across tenants and stored lower-cased."""

    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email", "email", unique=True),
        Index("ix_users_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    email: Mapped[str] = mapped_column(Text, nullable=False)
    password_hash: Mapped[str | None] = mapped_column(Text)
    first_name: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    last_name: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    role: Mapped[str] = mapped_column(Text, nullable=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    auth_provider: Mapped[str] = mapped_column(Text, nullable=False, server_default="local")
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp)


class UserSession(Base, BaseEntity):
    """One login: a browser's session, found by the SHA-256 of its token."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("uq_user_sessions_token_hash", "token_hash", unique=True),
        Index("ix_user_sessions_user_active", "user_id", postgresql_where=text("active")),
        Index("ix_user_sessions_client_active", "client_id", postgresql_where=text("active")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, server_default=func.gen_random_uuid())
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    last_activity_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, server_default=func.now())
    ip_address: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    end_reason: Mapped[str | None] = mapped_column(Text)


class UserPermission(Base, BaseEntity):
    """A per-user override of the role matrix: grants (`granted`) or denies one resource/action."""

    __tablename__ = "user_permissions"
    __table_args__ = (
        Index("uq_user_permissions_user_resource_action", "user_id", "resource", "action", unique=True),
        Index("ix_user_permissions_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), nullable=False)
    resource: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)


class AuditEvent(Base, Timestamps):
    """An auth or admin event; `client_id` is empty when the tenant is unknown (a failed login)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_client_created", "client_id", text("created_at DESC")),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    client_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("clients.id"))
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    actor_email: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    ip_address: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
