"""Declarative base and the BaseEntity columns every tenant row carries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, MetaData, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    """Root of the unified models."""

    metadata = MetaData()


class Timestamps:
    """`active`, `created_at` and `last_updated_at` (the BaseEntity columns without the tenant)."""

    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, server_default=func.now())
    last_updated_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, server_default=func.now(), onupdate=func.now()
    )


class BaseEntity(Timestamps):
    """The spec's BaseEntity: tenant (`client_id`), `active`, `created_at`, `last_updated_at`."""

    @declared_attr
    def client_id(cls) -> Mapped[int]:
        return mapped_column(BigInteger, ForeignKey("clients.id"), nullable=False)
