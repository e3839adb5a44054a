"""Tenant-scoped queries behind the read-back routes (active rows only, newest first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pulse.core.db.models.business import Deployment, JiraProject, PullRequest, Repository, WorkItem


def _page(db_session: Session, stmt: Any, *, limit: int, offset: int) -> tuple[list[Any], int]:
    total = db_session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = list(db_session.execute(stmt.limit(limit).offset(offset)).all())
    return rows, int(total)


def list_repositories(*, db_session: Session, client_id: int, limit: int, offset: int) -> tuple[list[Any], int]:
    """Repositories of the tenant, by name."""
    stmt = (
        select(Repository)
        .where(Repository.client_id == client_id, Repository.active)
        .order_by(Repository.full_name, Repository.id)
    )
    rows, total = _page(db_session, stmt, limit=limit, offset=offset)
    return [r[0] for r in rows], total


def list_pull_requests(
    *, db_session: Session, client_id: int, repository_id: int | None, state: str | None, limit: int, offset: int
) -> tuple[list[Any], int]:
    """Pull requests of the tenant, newest first."""
    stmt = select(PullRequest).where(PullRequest.client_id == client_id, PullRequest.active)
    if repository_id is not None:
        stmt = stmt.where(PullRequest.repository_id == repository_id)
    if state is not None:
        stmt = stmt.where(PullRequest.state == state)
    stmt = stmt.order_by(PullRequest.opened_at.desc(), PullRequest.id.desc())
    rows, total = _page(db_session, stmt, limit=limit, offset=offset)
    return [r[0] for r in rows], total


def list_deployments(
    *,
    db_session: Session,
    client_id: int,
    environment: str | None,
    repository_id: int | None,
    source: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """Deployments of every environment and source, newest first (environment compared case-insensitively)."""
    stmt = select(Deployment).where(Deployment.client_id == client_id, Deployment.active)
    if source is not None:
        stmt = stmt.where(Deployment.source == source)
    if environment is not None:
        stmt = stmt.where(func.lower(Deployment.environment) == environment.lower())
    if repository_id is not None:
        stmt = stmt.where(Deployment.repository_id == repository_id)
    stmt = stmt.order_by(Deployment.started_at.desc(), Deployment.id.desc())
    rows, total = _page(db_session, stmt, limit=limit, offset=offset)
    return [r[0] for r in rows], total


def list_work_items(
    *, db_session: Session, client_id: int, project: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Jira work items of the tenant, newest first; `project` is a project key (case-insensitive)."""
    stmt = (
        select(WorkItem, JiraProject.key)
        .join(JiraProject, JiraProject.id == WorkItem.project_id)
        .where(WorkItem.client_id == client_id, WorkItem.active)
    )
    if project is not None:
        stmt = stmt.where(func.upper(JiraProject.key) == project.upper())
    stmt = stmt.order_by(WorkItem.opened_at.desc(), WorkItem.id.desc())
    rows, total = _page(db_session, stmt, limit=limit, offset=offset)
    items = []
    for item, project_key in rows:
        data = {c.key: getattr(item, c.key) for c in WorkItem.__table__.columns}
        data["project_key"] = project_key
        items.append(data)
    return items, total
