"""Incidents of a tenant (GitHub issues and Jira work items matching the incident rules, and incident-tool
and pushed incidents), newest first.

Read from the incident facts (rebuilt after syncs and rule changes), which carry the attribution.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from pulse.analytics import drilldown
from pulse.analytics.freshness.service import ensure_fresh
from pulse.analytics.period import Filters
from pulse.analytics.scope import check_filters
from pulse.analytics.sql import base_ctes, hours
from pulse.core.errors import InvalidInput

SINCE_EVER = datetime(1900, 1, 1, tzinfo=UTC)
SOURCES = ("github", "gitlab", "jira", "pagerduty", "opsgenie", "push")
SELECT = f"""
  SELECT i.id, i.source, i.key, i.title, i.opened_at, i.resolved_at,
         CASE WHEN i.resolved_at IS NULL THEN 'open' ELSE 'resolved' END AS state,
         i.repo_ids AS repository_ids, i.deployment_id,
         {hours("i.resolved_at", "i.opened_at")} AS time_to_restore_hours
  FROM incidents i
  WHERE {{where}}"""


def list_(
    *,
    db_session: Session,
    client_id: int,
    source: str | None,
    state: str | None,
    repository_id: int | None,
    team_id: int | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """`{items, total}`: one page of the tenant's incidents, newest first, optionally filtered."""
    filters = Filters(client_id=client_id, repository_id=repository_id, team_id=team_id)
    check_filters(db_session=db_session, filters=filters)
    where = ["i.in_scope"]
    if source is not None:
        if source not in SOURCES:
            raise InvalidInput(f"source: must be one of {', '.join(SOURCES)}", field="source")
        where.append("i.source = :source")
    if state is not None:
        if state not in ("open", "resolved"):
            raise InvalidInput("state: must be open or resolved", field="state")
        where.append("i.resolved_at IS NULL" if state == "open" else "i.resolved_at IS NOT NULL")
    ensure_fresh(db_session=db_session, client_id=client_id)
    ctes = base_ctes(filters)
    bound: dict[str, Any] = {
        "cid": client_id,
        "start": SINCE_EVER,
        "end": SINCE_EVER,
        "inc_from": SINCE_EVER,
        "source": source,
    }
    if repository_id is not None:
        bound["repository_id"] = repository_id
    if team_id is not None:
        bound["team_id"] = team_id
    return drilldown.page(
        db_session,
        ctes=ctes,
        select=SELECT.format(where=" AND ".join(where)),
        order_by="ORDER BY opened_at DESC, source, id DESC",
        bound=bound,
        limit=limit,
        offset=offset,
    )
