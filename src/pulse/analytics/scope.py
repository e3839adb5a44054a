"""Checks that a metric's filters name rows of the caller's tenant."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.period import Filters
from pulse.core.errors import NotFound


def check_filters(*, db_session: Session, filters: Filters) -> None:
    """404 naming the field when `team_id` or `repository_id` is not a row of the tenant."""
    if filters.team_id is not None:
        found = db_session.execute(
            text("SELECT 1 FROM teams WHERE id = :id AND client_id = :cid"),
            {"id": filters.team_id, "cid": filters.client_id},
        ).first()
        if found is None:
            raise NotFound(f"team {filters.team_id} does not exist", field="team_id")
    if filters.repository_id is not None:
        found = db_session.execute(
            text("SELECT 1 FROM repositories WHERE id = :id AND client_id = :cid"),
            {"id": filters.repository_id, "cid": filters.client_id},
        ).first()
        if found is None:
            raise NotFound(f"repository {filters.repository_id} does not exist", field="repository_id")


def whole_tenant(*, db_session: Session, filters: Filters) -> bool:
    """True when no filter narrows the scope and every repository and integration of the tenant is active."""
    if filters.team_id is not None or filters.repository_id is not None:
        return False
    inactive = db_session.execute(
        text(
            "SELECT 1 FROM repositories r JOIN integrations i ON i.id = r.integration_id"
            " WHERE r.client_id = :cid AND NOT (r.active AND i.active) LIMIT 1"
        ),
        {"cid": filters.client_id},
    ).first()
    return inactive is None


def whole_jira(*, db_session: Session, filters: Filters) -> bool:
    """True when no filter narrows the flow metrics and every Jira project and integration is active."""
    if filters.team_id is not None or filters.project:
        return False
    inactive = db_session.execute(
        text(
            "SELECT 1 FROM jira_projects p JOIN integrations i ON i.id = p.integration_id"
            " WHERE p.client_id = :cid AND NOT (p.active AND i.active) LIMIT 1"
        ),
        {"cid": filters.client_id},
    ).first()
    return inactive is None
