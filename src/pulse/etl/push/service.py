"""Pushed deployments and incidents: validated against the tenant's data and upserted on the caller's key.

Each push is one transaction (the request's): the upsert, and a finished job run of the push integration
recording it, so the run history lists the pushes and the metric facts rebuild on the next read, as they do
after a sync. The upserts use the tables' unique `(client_id, integration_id, external_id)` constraints, so
the same key pushed twice, even at the same moment, makes one row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, text
from sqlalchemy.orm import Session

from pulse.core.db.models import JobRun
from pulse.core.errors import InvalidInput, NotFound
from pulse.core.logging import get_logger
from pulse.etl.jobs import service as job_service
from pulse.etl.jobs import states
from pulse.etl.push.schemas import (
    DeploymentPush,
    DeploymentPushed,
    IncidentPush,
    IncidentPushed,
    IncidentResolve,
)
from pulse.etl.push.tokens import PushCaller

log = get_logger(__name__)

_REPOSITORY = text(
    """
    SELECT r.id, r.full_name FROM repositories r JOIN integrations i ON i.id = r.integration_id AND i.active
    WHERE r.client_id = :cid AND r.active AND lower(r.full_name) = lower(:name)
    ORDER BY r.id LIMIT 2
    """
)


def find_repository(*, db_session: Session, client_id: int, name: str) -> tuple[int, str]:
    """The ingested repository `owner/name` (or GitLab path) of the tenant; 422 naming `repository` otherwise."""
    rows = db_session.execute(_REPOSITORY, {"cid": client_id, "name": name}).all()
    if not rows:
        raise InvalidInput(
            f"repository: {name!r} is not a repository Pulse has ingested for this organisation", field="repository"
        )
    if len(rows) > 1:
        raise InvalidInput(f"repository: {name!r} names repositories of more than one integration", field="repository")
    return int(rows[0].id), str(rows[0].full_name)


_UPSERT_DEPLOYMENT = text(
    """
    INSERT INTO deployments AS d (client_id, integration_id, external_id, repository_id, environment, sha, ref,
                                  source, status, started_at, finished_at, source_updated_at, changes_computed)
    VALUES (:cid, :iid, :key, :repository_id, :environment, :sha, :ref, 'push', :status, :started_at, :finished_at,
            now(), false)
    ON CONFLICT (client_id, integration_id, external_id) DO UPDATE SET
        repository_id = EXCLUDED.repository_id, environment = EXCLUDED.environment, sha = EXCLUDED.sha,
        ref = EXCLUDED.ref, status = EXCLUDED.status, started_at = EXCLUDED.started_at,
        finished_at = EXCLUDED.finished_at, source_updated_at = now(), active = true, last_updated_at = now()
    RETURNING d.id, d.external_id, d.repository_id, d.environment, d.sha, d.ref, d.status, d.started_at,
              d.finished_at, (d.xmax = 0) AS created
    """
)


def push_deployment(*, db_session: Session, caller: PushCaller, deployment_in: DeploymentPush) -> DeploymentPushed:
    """Create or update the deployment keyed by `deployment_id` (changes are left to the metrics, see docs)."""
    repository_id, full_name = find_repository(
        db_session=db_session, client_id=caller.client_id, name=deployment_in.repository
    )
    row = (
        db_session.execute(
            _UPSERT_DEPLOYMENT,
            {
                "cid": caller.client_id,
                "iid": caller.integration_id,
                "key": deployment_in.deployment_id,
                "repository_id": repository_id,
                "environment": deployment_in.environment,
                "sha": deployment_in.sha,
                "ref": deployment_in.ref,
                "status": deployment_in.status,
                "started_at": deployment_in.started_at,
                "finished_at": deployment_in.finished_at,
            },
        )
        .mappings()
        .one()
    )
    pushed = DeploymentPushed(**_renamed(row, external_id="deployment_id"), repository=full_name)
    _record_run(
        db_session=db_session,
        caller=caller,
        counts={"deployments": 1},
        message=f"Deployment {pushed.deployment_id} pushed ({'created' if pushed.created else 'updated'})",
    )
    return pushed


_UPSERT_INCIDENT = text(
    """
    INSERT INTO incidents AS x (client_id, integration_id, external_id, source, key, title, status, severity,
                                repository_id, url, opened_at, resolved_at, source_updated_at)
    VALUES (:cid, :iid, :key, 'push', :key, :title, :status, :severity, :repository_id, :url, :opened_at,
            :resolved_at, now())
    ON CONFLICT (client_id, integration_id, external_id) DO UPDATE SET
        title = EXCLUDED.title, severity = EXCLUDED.severity, repository_id = EXCLUDED.repository_id,
        url = EXCLUDED.url, opened_at = EXCLUDED.opened_at,
        resolved_at = coalesce(EXCLUDED.resolved_at, x.resolved_at),
        status = CASE WHEN coalesce(EXCLUDED.resolved_at, x.resolved_at) IS NULL THEN 'open' ELSE 'resolved' END,
        source_updated_at = now(), active = true, last_updated_at = now()
    RETURNING x.id, x.key, x.repository_id, x.title, x.severity, x.url, x.status, x.opened_at, x.resolved_at,
              (x.xmax = 0) AS created
    """
)


def push_incident(*, db_session: Session, caller: PushCaller, incident_in: IncidentPush) -> IncidentPushed:
    """Create or update the incident keyed by `key` (a resolution already recorded is kept when none is given)."""
    repository_id, full_name = find_repository(
        db_session=db_session, client_id=caller.client_id, name=incident_in.repository
    )
    row = (
        db_session.execute(
            _UPSERT_INCIDENT,
            {
                "cid": caller.client_id,
                "iid": caller.integration_id,
                "key": incident_in.key,
                "title": incident_in.title.strip(),
                "status": "open" if incident_in.resolved_at is None else "resolved",
                "severity": incident_in.severity,
                "repository_id": repository_id,
                "url": incident_in.url,
                "opened_at": incident_in.opened_at,
                "resolved_at": incident_in.resolved_at,
            },
        )
        .mappings()
        .one()
    )
    pushed = IncidentPushed(**row, repository=full_name)
    if pushed.resolved_at is not None and pushed.resolved_at < pushed.opened_at:
        # An update moved `opened_at` after the resolution recorded earlier.
        raise InvalidInput("opened_at: must not be after the incident's resolved_at", field="opened_at")
    _record_run(
        db_session=db_session,
        caller=caller,
        counts={"incidents": 1},
        message=f"Incident {pushed.key} pushed ({'created' if pushed.created else 'updated'})",
    )
    return pushed


_RESOLVE_INCIDENT = text(
    """
    UPDATE incidents x SET resolved_at = coalesce(:resolved_at, now()), status = 'resolved',
                           source_updated_at = now(), last_updated_at = now()
    WHERE x.client_id = :cid AND x.integration_id = :iid AND x.external_id = :key AND x.resolved_at IS NULL
    """
)
_READ_INCIDENT = text(
    """
    SELECT x.id, x.key, x.repository_id, r.full_name AS repository, x.title, x.severity, x.url, x.status,
           x.opened_at, x.resolved_at, false AS created
    FROM incidents x JOIN repositories r ON r.id = x.repository_id
    WHERE x.client_id = :cid AND x.integration_id = :iid AND x.external_id = :key AND x.active
    FOR UPDATE OF x
    """
)


def resolve_incident(
    *, db_session: Session, caller: PushCaller, key: str, resolve_in: IncidentResolve
) -> IncidentPushed:
    """Set the incident's `resolved_at` (404 for an unknown key; an already resolved incident stays as it is)."""
    bound: dict[str, Any] = {"cid": caller.client_id, "iid": caller.integration_id, "key": key}
    current = db_session.execute(_READ_INCIDENT, bound).mappings().one_or_none()
    if current is None:
        raise NotFound(f"incident {key!r} not found")
    if current["resolved_at"] is not None:
        return IncidentPushed(**current)
    resolved_at = resolve_in.resolved_at
    if resolved_at is not None and resolved_at < current["opened_at"]:
        raise InvalidInput("resolved_at: must not be before the incident's opened_at", field="resolved_at")
    db_session.execute(_RESOLVE_INCIDENT, {**bound, "resolved_at": resolved_at})
    resolved = IncidentPushed(**db_session.execute(_READ_INCIDENT, bound).mappings().one())
    _record_run(
        db_session=db_session, caller=caller, counts={"incidents_resolved": 1}, message=f"Incident {key} resolved"
    )
    return resolved


def _renamed(row: Any, **names: str) -> dict[str, Any]:
    return {names.get(str(k), str(k)): v for k, v in dict(row).items()}


def _record_run(*, db_session: Session, caller: PushCaller, counts: dict[str, int], message: str) -> None:
    """A finished run of the push integration for this push (the facts rebuild after runs newer than them)."""
    run = JobRun(
        client_id=caller.client_id,
        integration_id=caller.integration_id,
        status=states.FINISHED,
        trigger="push",
        step="push",
        percent=100.0,
        counts=counts,
        attempt=1,
        max_attempts=1,
        # The clock at the end of the push, not its start: a rebuild that began before this commit must not
        # be taken to cover it.
        started_at=func.clock_timestamp(),
        finished_at=func.clock_timestamp(),
    )
    db_session.add(run)
    db_session.flush()
    job_service.add_event(db_session, run, "info", message)
    log.info("push_recorded", integration_id=caller.integration_id, job_run_id=run.id, **counts)
