"""When a tenant's metric facts are rebuilt, and what readers are told meanwhile.

A settings write commits at once: `request_rebuild` bumps the tenant's `requested_version` and queues one
rebuild job in the write's own transaction (a rolled-back write queues nothing; many writes share the one
waiting job). The job (`rebuild`) reads the version, rebuilds the facts with `refresh_tenant` in one
transaction and records the version it covered in `built_version`. A write that lands while a rebuild runs
bumps the version past what that rebuild read and queues the next job, so nothing is lost.

Readers never pay for a rebuild of a built tenant: `ensure_fresh` serves the committed facts (the rebuild is
one transaction, so they are never half-rebuilt), says `pending`, and makes sure a rebuild is queued. Only a
tenant whose facts were never built and that is small builds them on its first read; a large one answers
from empty facts, pending, until its job is done.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics import incremental
from pulse.analytics.refresh import refresh_tenant
from pulse.etl.jobs import queue

# Source rows (pull requests + deployments + work items) up to which a never-built tenant builds its facts on
# its first read: a few hundred milliseconds at ~50 µs a row. Larger tenants are built by the job.
FIRST_BUILD_MAX_ROWS = 20_000


@dataclass(frozen=True)
class Freshness:
    """When the facts a tenant's answers come from were built, and whether a rebuild is due."""

    as_of: datetime | None
    pending: bool


@dataclass(frozen=True)
class _State:
    freshness: Freshness
    requested_version: int
    settings_pending: bool


_STATE = text(
    "SELECT s.refreshed_at, coalesce(s.requested_version, 0) AS requested_version,"
    " coalesce(s.built_version, 0) AS built_version,"
    " (SELECT max(finished_at) FROM job_runs WHERE client_id = :cid) AS synced_at"
    " FROM (SELECT 1) AS one LEFT JOIN metric_refresh_state s ON s.client_id = :cid"
)

_SIZE = text(
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM pull_requests WHERE client_id = :cid LIMIT :n) p)"
    " + (SELECT count(*) FROM (SELECT 1 FROM deployments WHERE client_id = :cid LIMIT :n) d)"
    " + (SELECT count(*) FROM (SELECT 1 FROM work_items WHERE client_id = :cid LIMIT :n) w)"
)


def _state(db_session: Session, client_id: int) -> _State:
    row = db_session.execute(_STATE, {"cid": client_id}).one()
    # A sync that ended after the last rebuild without refreshing (a path that does not call refresh_tenant)
    # leaves the facts behind its rows, as does a settings write not yet covered by a rebuild.
    pending = (
        row.refreshed_at is None
        or row.requested_version > row.built_version
        or (row.synced_at is not None and row.synced_at > row.refreshed_at)
    )
    settings_pending = row.refreshed_at is None or row.requested_version > row.built_version
    return _State(Freshness(as_of=row.refreshed_at, pending=pending), int(row.requested_version), settings_pending)


def current(*, db_session: Session, client_id: int) -> Freshness:
    """The tenant's freshness, read without side effects."""
    return _state(db_session, client_id).freshness


def request_rebuild(*, db_session: Session, client_id: int) -> None:
    """Mark the tenant's facts out of date and queue their rebuild, in the caller's (the write's) transaction."""
    db_session.flush()
    db_session.execute(
        text(
            "INSERT INTO metric_refresh_state (client_id, requested_version, requested_at) VALUES (:cid, 1, now())"
            " ON CONFLICT (client_id) DO UPDATE SET requested_version = metric_refresh_state.requested_version + 1,"
            " requested_at = now(), last_updated_at = now()"
        ),
        {"cid": client_id},
    )
    queue.defer_rebuild(db_session, client_id)


def ensure_fresh(*, db_session: Session, client_id: int) -> Freshness:
    """Make the facts readable: build a small never-built tenant now, else queue a rebuild when pending."""
    # Percentiles sort whole populations in memory; the default 4 MB would spill a year of changes to disk.
    db_session.execute(text("SET LOCAL work_mem = '64MB'"))
    state = current(db_session=db_session, client_id=client_id)
    if not state.pending:
        return state
    if state.as_of is None and _small(db_session, client_id):
        rebuild(db_session=db_session, client_id=client_id)
        return current(db_session=db_session, client_id=client_id)
    if not queue.rebuild_waiting(db_session, client_id):
        queue.defer_rebuild(db_session, client_id)
    return state


def with_freshness(*, db_session: Session, client_id: int, answer: dict[str, Any]) -> dict[str, Any]:
    """A metrics answer with the tenant's `freshness` (computed after it, so a first build it made counts)."""
    return {**answer, "freshness": asdict(ensure_fresh(db_session=db_session, client_id=client_id))}


def _small(db_session: Session, client_id: int) -> bool:
    size = db_session.execute(_SIZE, {"cid": client_id, "n": FIRST_BUILD_MAX_ROWS + 1}).scalar_one()
    return int(size) <= FIRST_BUILD_MAX_ROWS


def rebuild(*, db_session: Session, client_id: int) -> bool:
    """Rebuild the tenant's facts in the caller's transaction unless they are fresh; True when it rebuilt."""
    # The version is read before the rebuild reads the settings, so the recorded version never claims a write
    # the rebuild did not see (a write committing in between only costs one more rebuild).
    state = _state(db_session, client_id)
    if not state.freshness.pending:
        return False
    if state.settings_pending:
        refresh_tenant(db_session=db_session, client_id=client_id)
    else:
        # Only source rows are behind (a push, a sync path that did not refresh): their writes recorded what
        # they touched, so recomputing that is enough; the rules, mappings and teams are unchanged.
        incremental.refresh_pending(db_session=db_session, client_id=client_id)
    db_session.execute(
        text(
            "UPDATE metric_refresh_state SET built_version = GREATEST(built_version, :version) WHERE client_id = :cid"
        ),
        {"cid": client_id, "version": state.requested_version},
    )
    return True
