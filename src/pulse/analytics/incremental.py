"""The incremental refresh: recompute only the facts that the writes since the last refresh can move.

Every write to a source table the facts read leaves a `metric_dirty` row in its own transaction (triggers of
migration 0009): the repository or Jira project it touched, per stream, and the earliest time from which an
answer can move. `refresh_pending` takes those rows and, per touched repository from its point on, deletes
and recomputes the production deployments, the changes they shipped (a new deployment re-links the PRs
merged since its predecessor; a late old one recomputes the repository from where it landed) and the
incidents whose attribution can move (across every repository of an incident's team, for Jira ones), all in
the caller's transaction under the tenant's facts lock, so readers see the old facts or the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.flow import facts as flow_facts
from pulse.analytics.period import Filters
from pulse.analytics.pull_requests import facts as pr_facts
from pulse.analytics.refresh import EVER, INSERTS, lock_facts, mark_refreshed, refresh_tenant
from pulse.analytics.sql import change_ctes, incident_ctes, is_production, jira_ctes, params, repo_ctes, rule_ctes

# `since` arrays hold NULL for "from the beginning" (psycopg cannot read PostgreSQL's -infinity).
_FROM = "coalesce({s}, '-infinity'::timestamptz)"

_TAKE = """
WITH taken AS (DELETE FROM metric_dirty WHERE client_id = :cid
               RETURNING stream, repository_id, project_id, integration_id, row_id, since)
SELECT stream, repository_id, project_id, integration_id, row_id,
       NULLIF(min(since), '-infinity'::timestamptz) AS since
FROM taken GROUP BY stream, repository_id, project_id, integration_id, row_id"""

# The `incidents` table's sources (incident tools, the push API): their incidents are kept per integration.
TOOL_SOURCES = ("pagerduty", "opsgenie", "push")


def _scope(name: str) -> str:
    """`(repository_id, since)` rows of one touched scope, from the bound arrays `:<name>_ids`/`:<name>_since`."""
    return f"unnest(CAST(:{name}_ids AS bigint[]), CAST(:{name}_since AS timestamptz[]))"


def _incident_touched(alias: str, incident_id: str) -> str:
    """Predicate: the incident row `alias` is one the refresh recomputes (same test on facts and live rows)."""
    return f"""(EXISTS (SELECT 1 FROM {_scope("inc_repo")} t(repository_id, since)
          WHERE t.repository_id = ANY({alias}.repo_ids) AND {alias}.opened_at >= {_FROM.format(s="t.since")})
   OR ({alias}.source = 'jira' AND EXISTS (
          SELECT 1 FROM {_scope("inc_project")} t(project_id, since)
          JOIN work_items w ON w.id = {incident_id} AND w.project_id = t.project_id
          WHERE {alias}.opened_at >= {_FROM.format(s="t.since")}))
   OR ({alias}.source IN ({", ".join(repr(x) for x in TOOL_SOURCES)}) AND EXISTS (
          SELECT 1 FROM {_scope("inc_integration")} t(integration_id, since)
          JOIN incidents x ON x.id = {incident_id} AND x.integration_id = t.integration_id
          WHERE {alias}.opened_at >= {_FROM.format(s="t.since")})))"""


# Each touched repository drives an index range scan of its own rows. `OFFSET 0` keeps each LATERAL subquery
# from being flattened into a join, which the planner (not knowing how few repositories the arrays hold)
# turns into a scan of the tenant's whole table.
_DELETE_DEPLOYMENTS = f"""DELETE FROM metric_deployments WHERE id IN (
  SELECT md.id FROM {_scope("dep")} t(repository_id, since) CROSS JOIN LATERAL (
    SELECT x.id FROM metric_deployments x WHERE x.repository_id = t.repository_id
      AND x.finished_at >= {_FROM.format(s="t.since")} AND x.client_id = :cid OFFSET 0) md)"""

_DELETE_CHANGES = f"""DELETE FROM metric_changes WHERE id IN (
  SELECT mc.id FROM {_scope("chg")} t(repository_id, since) CROSS JOIN LATERAL (
    SELECT x.id FROM metric_changes x WHERE x.repository_id = t.repository_id
      AND x.deployed_at >= {_FROM.format(s="t.since")} AND x.client_id = :cid OFFSET 0) mc)"""

_DELETE_INCIDENTS = f"""DELETE FROM metric_incidents mi
WHERE mi.client_id = :cid AND mi.opened_at >= :inc_from AND {_incident_touched("mi", "mi.incident_id")}"""


def _win(filters: Filters) -> str:
    """`win`: the production deployments of the touched repositories from each one's point on."""
    return f"""win AS MATERIALIZED (
  SELECT d.id, d.repository_id, d.environment, d.sha, d.finished_at, d.changes_computed
  FROM {_scope("chg")} t(repository_id, since)
  CROSS JOIN LATERAL (
    SELECT * FROM deployments x WHERE x.client_id = :cid AND x.repository_id = t.repository_id
      AND x.finished_at >= {_FROM.format(s="t.since")} OFFSET 0
  ) d
  JOIN repo_rules rr ON rr.repository_id = d.repository_id
  WHERE {is_production(filters)} AND d.repository_id IN (SELECT id FROM scope_repos)
)"""


# Changes are recomputed from at least as early as deployments (`chg` covers `dep`), so `win` serves both.
_DEPLOYMENTS_FROM = f"""win w JOIN {_scope("dep")} t(repository_id, since) ON t.repository_id = w.repository_id
    AND w.finished_at >= {_FROM.format(s="t.since")}"""


@dataclass
class Touched:
    """What the pending writes touched: per scope, the earliest point to recompute from (None: all of it)."""

    deployments: dict[int, datetime | None] = field(default_factory=dict)
    changes: dict[int, datetime | None] = field(default_factory=dict)
    incident_repositories: dict[int, datetime | None] = field(default_factory=dict)
    incident_projects: dict[int, datetime | None] = field(default_factory=dict)
    incident_integrations: dict[int, datetime | None] = field(default_factory=dict)
    # Every repository / project some write touched.
    repository_ids: set[int] = field(default_factory=set)
    project_ids: set[int] = field(default_factory=set)
    # The pull request and flow facts to rebuild: every row of these repositories / projects (deactivated,
    # revived, renamed), and these pull requests / work items (their rows, reviews, transitions changed).
    pr_repositories: set[int] = field(default_factory=set)
    pull_request_ids: set[int] = field(default_factory=set)
    flow_projects: set[int] = field(default_factory=set)
    work_item_ids: set[int] = field(default_factory=set)

    def empty(self) -> bool:
        """True when nothing is pending."""
        return not (self.repository_ids or self.project_ids or self.incident_integrations)


def _earliest(points: dict[int, datetime | None], key: int, since: datetime | None) -> None:
    """Keep the earlier of two points for `key` (None, the beginning, is earliest)."""
    if key in points:
        old = points[key]
        points[key] = None if old is None or since is None else min(old, since)
    else:
        points[key] = since


def _add_row(rows: set[int], scopes: set[int], row_id: int | None, scope_id: int | None) -> None:
    """A row-level dirty row names its row; a scope-level one (no row) every row of its scope."""
    if row_id is not None:
        rows.add(row_id)
    elif scope_id is not None:
        scopes.add(scope_id)


def take_pending(*, db_session: Session, client_id: int) -> Touched:
    """Consume the tenant's pending `metric_dirty` rows (committed so far) into what they touched."""
    touched = Touched()
    rows = db_session.execute(text(_TAKE), {"cid": client_id}).all()
    for stream, repository_id, project_id, integration_id, row_id, since in rows:
        if stream == "pull_requests":
            _add_row(touched.pull_request_ids, touched.pr_repositories, row_id, repository_id)
        elif stream == "work_items":
            _add_row(touched.work_item_ids, touched.flow_projects, row_id, project_id)
        if repository_id is not None:
            touched.repository_ids.add(repository_id)
            if stream == "deployments":
                # A deployment moves its repository's changes and the incidents attributed across it.
                for points in (touched.deployments, touched.changes, touched.incident_repositories):
                    _earliest(points, repository_id, since)
            elif stream == "changes":
                _earliest(touched.changes, repository_id, since)
            elif stream == "incidents":
                _earliest(touched.incident_repositories, repository_id, since)
        if project_id is not None:
            touched.project_ids.add(project_id)
            if stream == "incidents":
                _earliest(touched.incident_projects, project_id, since)
        if integration_id is not None:
            _earliest(touched.incident_integrations, integration_id, since)
    return touched


def _arrays(name: str, points: dict[int, datetime | None]) -> dict[str, Any]:
    return {f"{name}_ids": list(points), f"{name}_since": list(points.values())}


def refresh_pending(*, db_session: Session, client_id: int) -> dict[str, int]:
    """Bring the tenant's facts up to date with the writes since the last refresh, in the caller's transaction.

    Returns the fact rows written and the repositories/projects touched. A tenant whose facts were never built
    gets the full rebuild.
    """
    db_session.flush()
    lock_facts(db_session=db_session, client_id=client_id)
    built = db_session.execute(
        text("SELECT 1 FROM metric_refresh_state WHERE client_id = :cid AND refreshed_at IS NOT NULL"),
        {"cid": client_id},
    ).first()
    if built is None:
        return refresh_tenant(db_session=db_session, client_id=client_id)
    touched = take_pending(db_session=db_session, client_id=client_id)
    counts = {"deployments": 0, "changes": 0, "incidents": 0}
    if not touched.empty():
        # A pull request's fact reads its deployment from metric_changes: the PRs whose change row the
        # recomputation removes or writes get their fact rebuilt after it.
        moved = _moved_pull_requests(db_session=db_session, client_id=client_id, touched=touched)
        counts = _recompute(db_session=db_session, client_id=client_id, touched=touched)
        moved |= _moved_pull_requests(db_session=db_session, client_id=client_id, touched=touched)
        touched.pull_request_ids |= moved
    counts["pull_requests"] = pr_facts.refresh(
        db_session=db_session,
        client_id=client_id,
        repository_ids=touched.pr_repositories,
        pull_request_ids=touched.pull_request_ids,
    )
    counts["work_items"] = flow_facts.refresh(
        db_session=db_session,
        client_id=client_id,
        project_ids=touched.flow_projects,
        work_item_ids=touched.work_item_ids,
    )["work_items"]
    mark_refreshed(db_session=db_session, client_id=client_id)
    return {**counts, "repositories": len(touched.repository_ids), "projects": len(touched.project_ids)}


_MOVED_PULL_REQUESTS = f"""
SELECT mc.pull_request_id FROM {_scope("chg")} t(repository_id, since) CROSS JOIN LATERAL (
  SELECT x.pull_request_id FROM metric_changes x WHERE x.repository_id = t.repository_id
    AND x.deployed_at >= {_FROM.format(s="t.since")} AND x.client_id = :cid OFFSET 0) mc"""


def _moved_pull_requests(*, db_session: Session, client_id: int, touched: Touched) -> set[int]:
    """The pull requests of the change facts the recomputation deletes (before it) or wrote (after it)."""
    if not touched.changes:
        return set()
    bound = {"cid": client_id, **_arrays("chg", touched.changes)}
    return set(db_session.execute(text(_MOVED_PULL_REQUESTS), bound).scalars())


def _recompute(*, db_session: Session, client_id: int, touched: Touched) -> dict[str, int]:
    """Delete the touched facts and insert them again from the source rows."""
    filters = Filters(client_id=client_id)
    incident_points = [
        *touched.incident_repositories.values(),
        *touched.incident_projects.values(),
        *touched.incident_integrations.values(),
    ]
    if not incident_points:
        inc_from = EVER.end  # nothing to redo: the incident CTE reads no row
    elif None in incident_points:
        inc_from = EVER.start
    else:
        inc_from = min(p for p in incident_points if p is not None)
    bound: dict[str, Any] = params(
        EVER,
        filters,
        inc_from=inc_from,
        **_arrays("dep", touched.deployments),
        **_arrays("chg", touched.changes),
        **_arrays("inc_repo", touched.incident_repositories),
        **_arrays("inc_project", touched.incident_projects),
        **_arrays("inc_integration", touched.incident_integrations),
    )
    for statement in (_DELETE_CHANGES, _DELETE_INCIDENTS, _DELETE_DEPLOYMENTS):
        db_session.execute(text(statement), bound)
    sql = (
        "WITH "
        + ",\n".join(
            [
                repo_ctes(filters),
                rule_ctes(),
                _win(filters),
                change_ctes(filters),
                jira_ctes(),
                incident_ctes(filters, restrict=_incident_touched("i", "i.id")),
            ]
        )
        + INSERTS.format(deployments=_DEPLOYMENTS_FROM)
    )
    return {k: int(v) for k, v in db_session.execute(text(sql), bound).mappings().one().items()}
