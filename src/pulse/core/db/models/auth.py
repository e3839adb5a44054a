"""Authentication bookkeeping owned by the Backend Service: failed-login counters for throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from pulse.core.db.models.base import Base, Timestamp, Timestamps


class LoginThrottle(Base, Timestamps):
    """Failed logins of one email or one client IP; kept in the database so every replica sees them.

    `client_id` is known only when the email names a user; IP counters belong to no tenant.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        Index("uq_login_throttles_scope_key", "scope", "key", unique=True),
        Index("ix_login_throttles_last_failure_at", "last_failure_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    client_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("clients.id"))
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    first_failure_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    last_failure_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(Timestamp)
