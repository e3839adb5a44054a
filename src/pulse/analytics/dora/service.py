"""DORA metrics computed in PostgreSQL: summary, trend and the drill-downs behind every number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics import drilldown, levels
from pulse.analytics.freshness.service import ensure_fresh
from pulse.analytics.period import Filters, Period, bucket_days, bucket_starts
from pulse.analytics.scope import check_filters, whole_tenant
from pulse.analytics.sql import base_ctes, bucket, hours, params, sort_in_memory

PERCENTILES = "ARRAY[0.5, 0.75, 0.9]::float8[]"


def _aggregate_sql(filters: Filters, granularity: str | None, live: bool = False, whole: bool = False) -> str:
    b = lambda column: bucket(column, granularity)  # noqa: E731
    return f"""{base_ctes(filters, live=live, whole_tenant=whole, inline=True)},
buckets AS (SELECT unnest(CAST(:buckets AS date[])) AS bucket),
failed_ids AS (SELECT DISTINCT deployment_id FROM incidents WHERE deployment_id IS NOT NULL),
wf AS (
  SELECT w.id, w.finished_at, {b("w.finished_at")} AS bucket, f.deployment_id IS NOT NULL AS failed
  FROM win w LEFT JOIN failed_ids f ON f.deployment_id = w.id
),
dep_agg AS (
  SELECT bucket, count(*) AS deployments, count(DISTINCT (finished_at AT TIME ZONE :tz)::date) AS days,
         count(*) FILTER (WHERE failed) AS failed
  FROM wf GROUP BY bucket
),
lt_agg AS (
  SELECT {b("c.deployed_at")} AS bucket, count(*) AS n,
         percentile_cont({PERCENTILES}) WITHIN GROUP (ORDER BY c.lead_time_hours) AS pct
  FROM changes c GROUP BY 1
),
rec_agg AS (
  SELECT {b("w.finished_at")} AS bucket, count(*) AS n,
         percentile_cont({PERCENTILES}) WITHIN GROUP (ORDER BY {hours("i.resolved_at", "w.finished_at")}) AS pct
  FROM incidents i JOIN win w ON w.id = i.deployment_id
  WHERE i.resolved_at IS NOT NULL GROUP BY 1
),
ttr_agg AS (
  SELECT {b("i.opened_at")} AS bucket, count(*) AS n,
         percentile_cont({PERCENTILES}) WITHIN GROUP (ORDER BY {hours("i.resolved_at", "i.opened_at")}) AS pct
  FROM incidents i
  WHERE i.in_scope AND i.opened_at >= :start AND i.opened_at < :end AND i.resolved_at IS NOT NULL
  GROUP BY 1
)
SELECT bk.bucket,
       coalesce(d.deployments, 0) AS deployments, coalesce(d.days, 0) AS deployment_days,
       coalesce(d.failed, 0) AS failed_deployments,
       coalesce(lt.n, 0) AS changes, lt.pct AS lt_pct,
       coalesce(rc.n, 0) AS recovery_incidents, rc.pct AS rec_pct,
       coalesce(tt.n, 0) AS restore_incidents, tt.pct AS ttr_pct
FROM buckets bk
LEFT JOIN dep_agg d ON d.bucket = bk.bucket
LEFT JOIN lt_agg lt ON lt.bucket = bk.bucket
LEFT JOIN rec_agg rc ON rc.bucket = bk.bucket
LEFT JOIN ttr_agg tt ON tt.bucket = bk.bucket
ORDER BY bk.bucket"""


def _pcts(values: list[float] | None) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    return float(values[0]), float(values[1]), float(values[2])


def _point(row: Any, days: int) -> dict[str, Any]:
    weeks = days / 7 if days else 0
    deployments = int(row["deployments"])
    per_week = deployments / weeks if weeks else 0.0
    lt50, lt75, lt90 = _pcts(row["lt_pct"])
    rc50, rc75, rc90 = _pcts(row["rec_pct"])
    tt50, tt75, tt90 = _pcts(row["ttr_pct"])
    failed = int(row["failed_deployments"])
    rate = failed / deployments if deployments else None
    return {
        "deployment_frequency": {
            "deployments": deployments,
            "deployment_days": int(row["deployment_days"]),
            "per_week": per_week,
            "level": levels.deployment_frequency(deployments, per_week),
        },
        "lead_time_for_changes": {
            "median_hours": lt50,
            "p75_hours": lt75,
            "p90_hours": lt90,
            "changes": int(row["changes"]),
            "level": levels.lead_time(lt50),
        },
        "change_failure_rate": {
            "rate": rate,
            "failed_deployments": failed,
            "deployments": deployments,
            "level": levels.change_failure_rate(rate),
        },
        "failed_deployment_recovery_time": {
            "median_hours": rc50,
            "p75_hours": rc75,
            "p90_hours": rc90,
            "incidents": int(row["recovery_incidents"]),
            "level": levels.recovery_time(rc50),
        },
        "time_to_restore": {
            "median_hours": tt50,
            "p75_hours": tt75,
            "p90_hours": tt90,
            "incidents": int(row["restore_incidents"]),
        },
    }


def _bound(period: Period, filters: Filters, buckets: list[date]) -> dict[str, Any]:
    return params(period, filters, inc_from=period.start, buckets=buckets, from_date=period.from_date)


def _prepare(db_session: Session, filters: Filters, live: bool) -> bool:
    """Check the filters, build missing facts; True when the whole tenant is in scope (no scope checks)."""
    check_filters(db_session=db_session, filters=filters)
    sort_in_memory(db_session)
    if live or filters.environment:
        return False
    ensure_fresh(db_session=db_session, client_id=filters.client_id)
    return whole_tenant(db_session=db_session, filters=filters)


def summary(*, db_session: Session, period: Period, filters: Filters, live: bool = False) -> dict[str, Any]:
    """The four keys (and time to restore) over the whole period (`live`: from source rows, not the facts)."""
    whole = _prepare(db_session, filters, live)
    sql = _aggregate_sql(filters, None, live, whole)
    row = db_session.execute(text(sql), _bound(period, filters, [period.from_date])).mappings().one()
    return {
        "period": {"from": period.from_date.isoformat(), "to": period.to_date.isoformat(), "tz": period.tz},
        **_point(row, period.days),
    }


def trend(
    *, db_session: Session, period: Period, filters: Filters, granularity: str, live: bool = False
) -> dict[str, Any]:
    """The metrics per week (starting Monday) or calendar month of the period, every bucket present."""
    whole = _prepare(db_session, filters, live)
    buckets = bucket_starts(period, granularity)
    sql = _aggregate_sql(filters, granularity, live, whole)
    rows = db_session.execute(text(sql), _bound(period, filters, buckets)).mappings().all()
    points = []
    for row in rows:
        point = _point(row, bucket_days(period, row["bucket"], granularity))
        points.append({"period_start": row["bucket"].isoformat(), **point})
    return {"granularity": granularity, "points": points}


# Drill-downs: the exact rows behind each number. Each is (select, sortable columns, default sort, columns).

DEPLOYMENT_COLUMNS = [
    "id",
    "repository",
    "environment",
    "sha",
    "status",
    "finished_at",
    "changes",
    "incidents",
    "failed",
    "source",
]
# `source` is the type of the integration a row came from (a deployment's may differ from its repository's:
# pushes). It and, on the facts path, `changes` are sub-selects, so that PostgreSQL computes them for the
# page's rows only, after the sort and limit (the facts' `changes` count is an index probe per deployment;
# the live path counts its computed changes once).
DEPLOYMENT_SELECT = """
  SELECT w.id, ar.full_name AS repository, w.environment, w.sha, 'success'::text AS status, w.finished_at,
         {changes} AS changes, coalesce(i.n, 0) AS incidents, coalesce(i.n, 0) > 0 AS failed,
         (SELECT si.type FROM deployments sd JOIN integrations si ON si.id = sd.integration_id
          WHERE sd.id = w.id) AS source
  FROM win w JOIN all_repos ar ON ar.id = w.repository_id{changes_join}
  LEFT JOIN (SELECT deployment_id, count(*) AS n FROM incidents GROUP BY deployment_id) i ON i.deployment_id = w.id"""
# What the `changes` CTE of the facts holds for one deployment: its fact rows in the window and the scope.
FACT_CHANGE_COUNT = """(SELECT count(*) FROM metric_changes mc
          WHERE mc.deployment_id = w.id AND mc.deployed_at >= :start AND mc.deployed_at < :end
            AND mc.repository_id IN (SELECT id FROM scope_repos))"""
LIVE_CHANGE_COUNTS = """
  LEFT JOIN (SELECT deployment_id, count(*) AS n FROM changes GROUP BY deployment_id) c ON c.deployment_id = w.id"""


def deployment_select(live: bool) -> str:
    """The deployments drill-down's select, for the facts or `live` from the source rows."""
    if live:
        return DEPLOYMENT_SELECT.format(changes="coalesce(c.n, 0)", changes_join=LIVE_CHANGE_COUNTS)
    return DEPLOYMENT_SELECT.format(changes=FACT_CHANGE_COUNT, changes_join="")


DEPLOYMENT_SORTS = {
    "finished_at": "finished_at",
    "repository": "repository",
    "environment": "environment",
    "source": "source",
    "changes": "changes",
    "incidents": "incidents",
    "id": "id",
}

CHANGE_COLUMNS = [
    "pull_request_id", "repository", "number", "title", "author", "first_commit_at", "opened_at", "first_review_at",
    "merged_at", "deployed_at", "deployment_id", "coding_hours", "pickup_hours", "review_hours", "deploy_hours",
    "lead_time_hours", "source",
]  # fmt: skip
CHANGE_SELECT = f"""
  SELECT c.pull_request_id, ar.full_name AS repository, pr.number, pr.title, pr.author_login AS author,
         pr.first_commit_at, pr.opened_at, pr.first_review_at, pr.merged_at, c.deployed_at, c.deployment_id,
         greatest({hours("pr.opened_at", "pr.first_commit_at")}, 0) AS coding_hours,
         {hours("pr.first_review_at", "pr.opened_at")} AS pickup_hours,
         {hours("pr.merged_at", "pr.first_review_at")} AS review_hours,
         {hours("c.deployed_at", "pr.merged_at")} AS deploy_hours,
         c.lead_time_hours, (SELECT si.type FROM integrations si WHERE si.id = pr.integration_id) AS source
  FROM changes c JOIN pull_requests pr ON pr.id = c.pull_request_id JOIN all_repos ar ON ar.id = pr.repository_id"""
CHANGE_SORTS = {
    "deployed_at": "deployed_at",
    "merged_at": "merged_at",
    "lead_time_hours": "lead_time_hours",
    "repository": "repository",
    "source": "source",
    "number": "number",
    "pull_request_id": "pull_request_id",
}

INCIDENT_COLUMNS = [
    "id", "source", "key", "title", "opened_at", "resolved_at", "deployment_id", "recovery_hours",
    "time_to_restore_hours",
]  # fmt: skip
INCIDENT_SELECT = f"""
  SELECT i.id, i.source, i.key, i.title, i.opened_at, i.resolved_at, i.deployment_id,
         CASE WHEN w.id IS NOT NULL THEN {hours("i.resolved_at", "w.finished_at")} END AS recovery_hours,
         CASE WHEN i.in_scope AND i.opened_at >= :start AND i.opened_at < :end
              THEN {hours("i.resolved_at", "i.opened_at")} END AS time_to_restore_hours
  FROM incidents i LEFT JOIN win w ON w.id = i.deployment_id
  WHERE w.id IS NOT NULL OR (i.in_scope AND i.opened_at >= :start AND i.opened_at < :end)"""
INCIDENT_SORTS = {
    "opened_at": "opened_at",
    "resolved_at": "resolved_at",
    "recovery_hours": "recovery_hours",
    "time_to_restore_hours": "time_to_restore_hours",
    "source": "source",
    "key": "key",
}

COUNTS = {
    "deployments": "SELECT count(*) FROM win",
    "changes": "SELECT count(*) FROM changes",
    "incidents": """SELECT count(*) FROM incidents i LEFT JOIN win w ON w.id = i.deployment_id
  WHERE w.id IS NOT NULL OR (i.in_scope AND i.opened_at >= :start AND i.opened_at < :end)""",
}

DRILLDOWNS: dict[str, tuple[str, dict[str, str], str, list[str], str]] = {
    "deployments": (deployment_select(live=False), DEPLOYMENT_SORTS, "finished_at", DEPLOYMENT_COLUMNS, "id"),
    "changes": (CHANGE_SELECT, CHANGE_SORTS, "deployed_at", CHANGE_COLUMNS, "pull_request_id"),
    "incidents": (INCIDENT_SELECT, INCIDENT_SORTS, "opened_at", INCIDENT_COLUMNS, "source, id"),
}


def _drill(
    kind: str, period: Period, filters: Filters, sort: str | None, order: str | None, live: bool, whole: bool
) -> tuple[str, str, str, dict[str, Any], list[str]]:
    select, sorts, default, columns, tiebreak = DRILLDOWNS[kind]
    if kind == "deployments" and (live or filters.environment):
        select = deployment_select(live=True)  # an environment filter reads live (see `base_ctes`)
    order_by = drilldown.order_clause(sort, order, sorts, default, tiebreak)
    # The changes and deployments pages read their CTEs once: inlined, a time-ordered index scan (in the
    # page's default order, migration 0014) feeds the page's few joins; `whole` spares it the scope check.
    ctes = base_ctes(filters, live=live, whole_tenant=whole, inline=kind in ("changes", "deployments"))
    return ctes, select, order_by, params(period, filters, inc_from=period.start), columns


def drill_page(
    *,
    db_session: Session,
    kind: str,
    period: Period,
    filters: Filters,
    sort: str | None,
    order: str | None,
    limit: int,
    offset: int,
    live: bool = False,
) -> dict[str, Any]:
    """One page of a drill-down (`deployments`, `changes` or `incidents`) with the filter's total."""
    whole = _prepare(db_session, filters, live)
    ctes, select, order_by, bound, _ = _drill(kind, period, filters, sort, order, live, whole)
    return drilldown.page(
        db_session,
        ctes=ctes,
        select=select,
        order_by=order_by,
        bound=bound,
        limit=limit,
        offset=offset,
        count_select=COUNTS[kind],
    )


def drill_csv(
    *,
    db_session: Session,
    kind: str,
    period: Period,
    filters: Filters,
    sort: str | None,
    order: str | None,
    live: bool = False,
) -> Iterator[str]:
    """Every row of a drill-down as CSV chunks."""
    whole = _prepare(db_session, filters, live)
    ctes, select, order_by, bound, columns = _drill(kind, period, filters, sort, order, live, whole)
    return drilldown.csv_rows(db_session, ctes=ctes, select=select, order_by=order_by, bound=bound, columns=columns)
