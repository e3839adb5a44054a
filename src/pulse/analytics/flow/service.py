"""Flow metrics: cycle and lead time, throughput, WIP, time in step, efficiency, reopens.

Read from the flow facts (`flow.facts`), or `live` from the source rows by the definitions in
`flow.definitions` (the same numbers; the tests run both).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics import drilldown
from pulse.analytics.flow.definitions import STEPS, flow_ctes, wip_sql
from pulse.analytics.freshness.service import ensure_fresh
from pulse.analytics.period import Filters, Period, bucket_days, bucket_starts
from pulse.analytics.scope import check_filters, whole_jira
from pulse.analytics.sql import bucket, jira_ctes, params, sort_in_memory

PERCENTILES = "ARRAY[0.5, 0.75, 0.9]::float8[]"


# Scopes a fact table (its `{alias}`) to the filtered projects.
_scope_join = "JOIN scope_projects sp ON sp.id = {alias}.project_id"


def fact_ctes(filters: Filters, granularity: str | None = None, *, whole: bool = False, names: bool = True) -> str:
    """`scope_projects` and `item_facts` (completed items in the window) read from the flow facts.

    `whole`: no filter and every project and integration active, so no row needs the scope join, unless
    `names` asks for each item's project key (the drill-downs list it; the aggregates need not pay for it).
    """
    conditions = []
    if filters.project:
        conditions.append("lower(ap.key) = :project")
    if filters.team_id is not None:
        conditions.append("ap.id IN (SELECT project_id FROM project_teams WHERE team_id = :team_id)")
    where = " AND ".join(conditions) or "true"
    project, join = ("NULL::text", "") if whole and not names else ("sp.key", _scope_join.format(alias="f"))
    return f"""WITH {jira_ctes()},
scope_projects AS (SELECT ap.id, ap.key FROM active_projects ap WHERE {where}),
item_facts AS (
  SELECT f.work_item_id AS id, f.key, f.summary, f.issue_type, {project} AS project, f.status, f.opened_at,
         f.cycle_started_at, f.completed_at, f.cycle_time_hours, f.lead_time_hours, f.active_hours, f.reopened,
         {bucket("f.completed_at", granularity)} AS bucket
  FROM metric_work_items f {join}
  -- As live: an item completed in the window was updated in it or later.
  WHERE f.client_id = :cid AND f.completed_at >= :start AND f.completed_at < :end AND f.source_updated_at >= :start
)"""


FACT_WIP = """
SELECT count(*) FROM metric_work_item_wip w {scope}
WHERE w.client_id = :cid AND w.ended_at >= :wip_at AND w.started_at < :wip_at AND w.opened_at < :wip_at"""

# Each step's hours are gathered by hashing (a few steps) and sorted apart, instead of sorting every segment of
# the period by its step's name first: the same median, without the one large sort.
FACT_STEPS = """
SELECT g.step, g.category, g.position,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h) FROM unnest(g.hours) AS h) AS median_hours
FROM (
  SELECT s.step, s.category, min(s.position) AS position, array_agg(s.hours) AS hours
  FROM metric_work_item_segments s {scope}
  WHERE s.client_id = :cid AND s.completed_at >= :start AND s.completed_at < :end AND s.source_updated_at >= :start
  GROUP BY s.step, s.category
) g
ORDER BY g.position NULLS LAST, g.step"""

AGGREGATE = f"""
SELECT bk.bucket, f.items, f.cycle, f.lead, f.active_hours, f.lead_hours, f.reopened
FROM (SELECT unnest(CAST(:buckets AS date[])) AS bucket) bk
LEFT JOIN (
  SELECT bucket, count(*) AS items,
         percentile_cont({PERCENTILES}) WITHIN GROUP (ORDER BY cycle_time_hours) AS cycle,
         percentile_cont({PERCENTILES}) WITHIN GROUP (ORDER BY lead_time_hours) AS lead,
         sum(active_hours) AS active_hours, sum(lead_time_hours) AS lead_hours,
         count(*) FILTER (WHERE reopened) AS reopened
  FROM item_facts GROUP BY bucket
) f ON f.bucket = bk.bucket
ORDER BY bk.bucket"""


def _pcts(values: list[float] | None) -> dict[str, float | None]:
    if not values:
        return {"median_hours": None, "p75_hours": None, "p90_hours": None}
    return {"median_hours": float(values[0]), "p75_hours": float(values[1]), "p90_hours": float(values[2])}


def _point(row: Any, days: int) -> dict[str, Any]:
    items = int(row["items"] or 0)
    lead_hours = float(row["lead_hours"] or 0)
    weeks = days / 7
    return {
        "cycle_time": _pcts(row["cycle"]),
        "lead_time": _pcts(row["lead"]),
        "throughput": {"items": items, "per_week": items / weeks if weeks else 0.0},
        "flow_efficiency": float(row["active_hours"]) / lead_hours if items and lead_hours > 0 else None,
        "reopen_rate": int(row["reopened"] or 0) / items if items else None,
    }


def _bound(period: Period, filters: Filters, buckets: list[date]) -> dict[str, Any]:
    wip_at = min(period.end, datetime.now(UTC))
    return params(period, filters, buckets=buckets, from_date=period.from_date, wip_at=wip_at)


def _ctes(
    db_session: Session, filters: Filters, granularity: str | None, live: bool, *, names: bool = False
) -> tuple[str, str]:
    """Check the filters; give the CTEs up to `item_facts` (from the facts, built first if missing, or live)
    and the join that scopes the other fact tables (none when the whole tenant is in scope)."""
    check_filters(db_session=db_session, filters=Filters(client_id=filters.client_id, team_id=filters.team_id))
    sort_in_memory(db_session)
    if live:
        return flow_ctes(filters, granularity), ""
    ensure_fresh(db_session=db_session, client_id=filters.client_id)
    whole = whole_jira(db_session=db_session, filters=filters)
    return fact_ctes(filters, granularity, whole=whole, names=names), "" if whole else _scope_join


def summary(*, db_session: Session, period: Period, filters: Filters, live: bool = False) -> dict[str, Any]:
    """Flow metrics of the items completed in the period, WIP at its end (or now), time in each step."""
    ctes, scope = _ctes(db_session, filters, None, live)
    bound = _bound(period, filters, [period.from_date])
    row = db_session.execute(text(ctes + AGGREGATE), bound).mappings().one()
    wip_select = wip_sql() if live else FACT_WIP.format(scope=scope.format(alias="w"))
    wip = int(db_session.execute(text(ctes + wip_select), bound).scalar_one())
    steps_select = STEPS if live else FACT_STEPS.format(scope=scope.format(alias="s"))
    steps = db_session.execute(text(ctes + steps_select), bound).mappings().all()
    point = _point(row, period.days)
    return {
        "period": {"from": period.from_date.isoformat(), "to": period.to_date.isoformat(), "tz": period.tz},
        "cycle_time": point["cycle_time"],
        "lead_time": point["lead_time"],
        "throughput": point["throughput"],
        "wip": {"items": wip},
        "time_in_step": [
            {"step": s["step"], "category": s["category"], "median_hours": float(s["median_hours"])} for s in steps
        ],
        "flow_efficiency": point["flow_efficiency"],
        "reopen_rate": point["reopen_rate"],
    }


def trend(
    *, db_session: Session, period: Period, filters: Filters, granularity: str, live: bool = False
) -> dict[str, Any]:
    """Cycle time, lead time, throughput, efficiency and reopen rate per week or month of completion."""
    ctes, _ = _ctes(db_session, filters, granularity, live)
    buckets = bucket_starts(period, granularity)
    rows = db_session.execute(text(ctes + AGGREGATE), _bound(period, filters, buckets)).mappings()
    return {
        "granularity": granularity,
        "points": [
            {"period_start": r["bucket"].isoformat(), **_point(r, bucket_days(period, r["bucket"], granularity))}
            for r in rows
        ],
    }


ITEM_COLUMNS = [
    "id", "key", "summary", "issue_type", "project", "status", "opened_at", "cycle_started_at", "completed_at",
    "cycle_time_hours", "lead_time_hours", "active_hours", "reopened",
]  # fmt: skip
ITEM_SELECT = "SELECT " + ", ".join(ITEM_COLUMNS) + " FROM item_facts"
ITEM_SORTS = {c: c for c in ITEM_COLUMNS if c not in ("summary",)}


def _items(
    db_session: Session, period: Period, filters: Filters, sort: str | None, order: str | None, live: bool
) -> tuple[str, str, dict[str, Any]]:
    ctes, _ = _ctes(db_session, filters, None, live, names=True)
    order_by = drilldown.order_clause(sort, order, ITEM_SORTS, "completed_at", "id")
    return ctes, order_by, _bound(period, filters, [period.from_date])


def items_page(
    *,
    db_session: Session,
    period: Period,
    filters: Filters,
    sort: str | None,
    order: str | None,
    limit: int,
    offset: int,
    live: bool = False,
) -> dict[str, Any]:
    """The completed work items behind the flow figures, one page."""
    ctes, order_by, bound = _items(db_session, period, filters, sort, order, live)
    return drilldown.page(
        db_session, ctes=ctes, select=ITEM_SELECT, order_by=order_by, bound=bound, limit=limit, offset=offset
    )


def items_csv(
    *,
    db_session: Session,
    period: Period,
    filters: Filters,
    sort: str | None,
    order: str | None,
    live: bool = False,
) -> Iterator[str]:
    """Every completed work item behind the flow figures, as CSV chunks."""
    ctes, order_by, bound = _items(db_session, period, filters, sort, order, live)
    return drilldown.csv_rows(
        db_session, ctes=ctes, select=ITEM_SELECT, order_by=order_by, bound=bound, columns=ITEM_COLUMNS
    )
