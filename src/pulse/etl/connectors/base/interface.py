"""The contract between the job machinery and a data-source connector (GitHub, Jira, test doubles).

A connector is synchronous (it uses `httpx.Client`); the worker runs it in a thread. It reads its cursor
per stream with `ctx.get_checkpoint(stream)`, and saves rows and the new cursor together with
`ctx.commit(...)`, so a run that stops for any reason resumes from the last commit without duplicates.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from pulse.core.errors import InvalidInput
from pulse.core.logging import get_logger

log = get_logger(__name__)

InterruptReason = Literal["paused", "cancelled", "shutdown"]

BUILTIN_CONNECTOR_MODULES = [
    "pulse.etl.connectors.github",
    "pulse.etl.connectors.jira",
    "pulse.etl.connectors.gitlab",
    "pulse.etl.connectors.pagerduty",
    "pulse.etl.connectors.opsgenie",
    "pulse.etl.push.connector",
]
# Plug-in hook: comma-separated module paths imported after the built-ins; each registers its connectors
# with `register_connector` at import time (tests use it for their fake connector).
EXTRA_CONNECTORS_ENV = "PULSE_EXTRA_CONNECTORS"


@dataclass(frozen=True)
class IntegrationConfig:
    """One integration as a connector sees it; `credentials` are decrypted and must never be logged."""

    id: int
    client_id: int
    type: str
    name: str
    base_url: str
    credentials: dict[str, str] = field(repr=False)
    settings: dict[str, Any]


class JobInterrupted(Exception):
    """Raised inside a sync when the run was asked to stop; the worker records the matching state."""

    def __init__(self, reason: InterruptReason):
        super().__init__(f"job interrupted: {reason}")
        self.reason: InterruptReason = reason


class PermanentSyncError(Exception):
    """A failure retrying cannot fix (bad credentials, missing repository): the run fails without retries."""


class SyncContext(Protocol):
    """What a running sync may do: read cursors, commit work, report progress, and notice stop requests."""

    integration: IntegrationConfig
    job_run_id: int

    def get_checkpoint(self, stream: str) -> dict[str, Any] | None:
        """Cursor state saved by the last commit for this integration+stream (survives across runs)."""
        ...

    def commit(self, stream: str, checkpoint: dict[str, Any] | None, write: Callable[[Session], None]) -> None:
        """One transaction: `write(session)` plus the checkpoint; then raises JobInterrupted if asked to stop."""
        ...

    def check_interrupted(self) -> None:
        """Raise JobInterrupted when asked to stop; cheap enough to call between HTTP requests."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait (rate-limit resets, back-off), raising JobInterrupted within 2 s of a stop request."""
        ...

    def progress(self, *, step: str, percent: float | None = None, counts: dict[str, int] | None = None) -> None:
        """Record the current step, percent done (0-100) and running counts."""
        ...

    def log(self, level: str, message: str, **fields: Any) -> None:
        """Record a log event on the run (shown to users; never put credentials here)."""
        ...


@runtime_checkable
class Connector(Protocol):
    """A data source: checks credentials and syncs one integration."""

    type: ClassVar[str]

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """(ok, human message); never raises for bad credentials."""
        ...

    def sync(self, ctx: SyncContext) -> None:
        """Fetch everything new since the stored checkpoints and commit it stream by stream."""
        ...


_registry: dict[str, Callable[[], Connector]] = {}
_registry_lock = threading.Lock()
_loaded = False


def register_connector(type_: str, factory: Callable[[], Connector]) -> None:
    """Make a connector type available (a later registration of the same type replaces the earlier one)."""
    with _registry_lock:
        _registry[type_] = factory


def get_connector(type_: str) -> Connector:
    """A fresh connector for an integration type; InvalidInput for unknown types."""
    load_builtin_connectors()
    factory = _registry.get(type_)
    if factory is None:
        raise InvalidInput(f"unknown integration type {type_!r}", field="type")
    return factory()


def load_builtin_connectors() -> None:
    """Import the built-in connector modules and `PULSE_EXTRA_CONNECTORS` once; missing ones are skipped."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    extra = [m.strip() for m in os.environ.get(EXTRA_CONNECTORS_ENV, "").split(",") if m.strip()]
    for module in [*BUILTIN_CONNECTOR_MODULES, *extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            log.warning("connector_module_missing", module=module)
            continue
        importlib.import_module(module)
