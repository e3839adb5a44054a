"""ETL core models (0004, 0013): integrations, job runs and their events, checkpoints, schedules, push tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Identity, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pulse.core.db.models.base import Base, BaseEntity, Timestamp

JOB_STATUSES = ("PENDING", "RUNNING", "PAUSED", "FINISHED", "FAILED", "CANCELLED")
LIVE_JOB_STATUSES = ("PENDING", "RUNNING", "PAUSED")


class Integration(Base, BaseEntity):
    """A configured data source of a tenant; credentials are stored Fernet-encrypted only."""

    __tablename__ = "integrations"
    __table_args__ = (Index("ix_integrations_client_id", "client_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    type: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    base_url: Mapped[str] = mapped_column(Text, nullable=False)
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))


class JobRun(Base, BaseEntity):
    """One sync of one integration, from PENDING to a final state."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index(
            "uq_job_runs_integration_live",
            "integration_id",
            unique=True,
            postgresql_where=text("status IN ('PENDING', 'RUNNING', 'PAUSED')"),
        ),
        Index("ix_job_runs_client_integration", "client_id", "integration_id", "id"),
        Index("ix_job_runs_running_heartbeat", "heartbeat_at", postgresql_where=text("status = 'RUNNING'")),
        Index("ix_job_runs_client_finished", "client_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integrations.id"), nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="PENDING")
    trigger: Mapped[str] = mapped_column(Text, nullable=False, server_default="manual")
    requested_action: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str | None] = mapped_column(Text)
    percent: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime | None] = mapped_column(Timestamp)
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    heartbeat_at: Mapped[datetime | None] = mapped_column(Timestamp)


class JobEvent(Base, BaseEntity):
    """A log line or state change of a run, shown to users and streamed over the events WebSocket."""

    __tablename__ = "job_events"
    __table_args__ = (Index("ix_job_events_run", "job_run_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    job_run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("job_runs.id"), nullable=False)
    level: Mapped[str] = mapped_column(Text, nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))


class SyncCheckpoint(Base, BaseEntity):
    """The cursor of one stream of one integration, saved in the same transaction as the rows it covers."""

    __tablename__ = "sync_checkpoints"
    __table_args__ = (
        Index("uq_sync_checkpoints_integration_stream", "integration_id", "stream", unique=True),
        Index("ix_sync_checkpoints_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integrations.id"), nullable=False)
    stream: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    job_run_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("job_runs.id"))


class SyncSchedule(Base, BaseEntity):
    """When an integration syncs by itself: every N minutes, or a cron expression in a time zone."""

    __tablename__ = "sync_schedules"
    __table_args__ = (
        Index("uq_sync_schedules_integration", "integration_id", unique=True),
        Index("ix_sync_schedules_due", "next_run_at", postgresql_where=text("active")),
        Index("ix_sync_schedules_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integrations.id"), nullable=False)
    interval_minutes: Mapped[int | None] = mapped_column(Integer)
    cron: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text, nullable=False, server_default="UTC")
    next_run_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    last_fired_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_job_run_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("job_runs.id"))


class PushToken(Base, BaseEntity):
    """The secret a CI/CD system presents to the push API for one push integration; only its SHA-256 is kept."""

    __tablename__ = "push_tokens"
    __table_args__ = (
        Index("uq_push_tokens_token_hash", "token_hash", unique=True),
        Index("uq_push_tokens_integration_active", "integration_id", unique=True, postgresql_where=text("active")),
        Index("ix_push_tokens_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integrations.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(Text, nullable=False)
    prefix: Mapped[str] = mapped_column(Text, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    window_started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    window_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
