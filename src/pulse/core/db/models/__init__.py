"""The unified models: every table of Pulse's schema, imported by both services.

One package, one `Base.metadata`; each module holds one area of the schema. Import models from here.
"""

from pulse.core.db.models.base import Base, BaseEntity, Timestamps
from pulse.core.db.models.etl import (
    JOB_STATUSES,
    LIVE_JOB_STATUSES,
    Integration,
    JobEvent,
    JobRun,
    SyncCheckpoint,
    SyncSchedule,
)
from pulse.core.db.models.identity import (
    ACTIONS,
    RESOURCES,
    ROLES,
    AuditEvent,
    Client,
    User,
    UserPermission,
    UserSession,
)

__all__ = [
    "ACTIONS",
    "JOB_STATUSES",
    "LIVE_JOB_STATUSES",
    "RESOURCES",
    "ROLES",
    "AuditEvent",
    "Base",
    "BaseEntity",
    "Client",
    "Integration",
    "JobEvent",
    "JobRun",
    "SyncCheckpoint",
    "SyncSchedule",
    "Timestamps",
    "User",
    "UserPermission",
    "UserSession",
]
