"""Flow metrics computed in PostgreSQL: cycle and lead time, throughput, WIP, time in step, efficiency, reopens.

A work item's status resolves to a flow step through the tenant's active status mapping; a status without
any mapping falls back to its Jira status category (new -> to_do, indeterminate -> in_progress, done -> done)
and is its own step. An item is excluded when any status it has held maps only through an inactive mapping
or an inactive step, or its issue type mapping or hierarchy level is inactive.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics import drilldown
from pulse.analytics.period import Filters, Period, bucket_days, bucket_starts
from pulse.analytics.scope import check_filters
from pulse.analytics.sql import bucket, hours, jira_ctes, params

PERCENTILES = "ARRAY[0.5, 0.75, 0.9]::float8[]"


def _resolve(alias: str, status: str) -> str:
    """Joins that resolve the status column `status` to its step (`{alias}_sm`, `{alias}_jc`)."""
    return (
        f"LEFT JOIN status_map {alias}_sm ON {alias}_sm.status_key = lower({status})"
        f" LEFT JOIN jira_cat {alias}_jc ON {alias}_jc.status_key = lower({status})"
    )


def _category(alias: str) -> str:
    return f"coalesce({alias}_sm.category, {alias}_jc.category, 'to_do')"


def _ok(alias: str) -> str:
    return f"coalesce({alias}_sm.ok, true)"


def flow_ctes(filters: Filters, granularity: str | None = None) -> str:
    """CTEs up to `item_facts` (completed items in the window) and `step_segments` (their time per status)."""
    conditions = []
    if filters.project:
        conditions.append("lower(ap.key) = :project")
    if filters.team_id is not None:
        conditions.append("wi.project_id IN (SELECT project_id FROM project_teams WHERE team_id = :team_id)")
    extra = "".join(f" AND {c}" for c in conditions)
    return f"""WITH {jira_ctes()},
status_map AS (
  SELECT DISTINCT ON (lower(m.status_name)) lower(m.status_name) AS status_key, s.name AS step, s.category,
         s.position, (m.active AND s.active) AS ok
  FROM status_mappings m JOIN flow_steps s ON s.id = m.flow_step_id
  WHERE m.client_id = :cid
  ORDER BY lower(m.status_name), m.active DESC, m.id DESC
),
jira_cat AS (
  SELECT DISTINCT ON (lower(js.name)) lower(js.name) AS status_key,
         CASE js.category_key WHEN 'new' THEN 'to_do' WHEN 'indeterminate' THEN 'in_progress' ELSE 'done' END
           AS category
  FROM jira_statuses js WHERE js.client_id = :cid AND js.active
  ORDER BY lower(js.name), js.id
),
commit_pos AS (
  SELECT coalesce(
    (SELECT min(position) FROM flow_steps WHERE client_id = :cid AND active AND is_commitment_point),
    (SELECT min(position) FROM flow_steps WHERE client_id = :cid AND active AND category = 'in_progress')
  ) AS pos
),
scope_items AS (
  SELECT wi.id, wi.key, wi.summary, wi.issue_type, wi.status, wi.opened_at, wi.resolved_at,
         wi.source_updated_at, ap.key AS project
  FROM work_items wi
  JOIN active_projects ap ON ap.id = wi.project_id
  LEFT JOIN type_map tm ON tm.type_key = lower(wi.issue_type)
  WHERE wi.client_id = :cid AND wi.active AND coalesce(tm.ok, true){extra}
),
done_items AS (
  SELECT si.*, coalesce(lt.transitioned_at, si.resolved_at) AS completed_at
  FROM scope_items si
  {_resolve("cur", "si.status")}
  LEFT JOIN LATERAL (
    SELECT t.transitioned_at FROM work_item_transitions t
    WHERE t.client_id = :cid AND t.work_item_id = si.id AND t.active
    ORDER BY t.transitioned_at DESC, t.id DESC LIMIT 1
  ) lt ON true
  -- Jira bumps `updated` on every transition, so an item completed in the window was updated in it or later.
  WHERE si.source_updated_at >= :start AND {_category("cur")} = 'done' AND {_ok("cur")}
),
completed AS (
  SELECT * FROM done_items WHERE completed_at >= :start AND completed_at < :end
),
segments AS (
  SELECT t.work_item_id, t.from_status, t.to_status, t.transitioned_at,
         coalesce(lag(t.transitioned_at) OVER w, c.opened_at) AS segment_start
  FROM completed c
  JOIN work_item_transitions t ON t.client_id = :cid AND t.work_item_id = c.id AND t.active
  WINDOW w AS (PARTITION BY t.work_item_id ORDER BY t.transitioned_at, t.id)
),
step_segments AS (
  SELECT s.work_item_id, s.transitioned_at,
         coalesce(fr_sm.step, s.from_status) AS from_step, {_category("fr")} AS from_category,
         fr_sm.position AS from_position, {_category("tto")} AS to_category, tto_sm.position AS to_position,
         extract(epoch FROM s.transitioned_at - s.segment_start) AS seconds,
         s.from_status IS NOT NULL AS has_from,
         ({_ok("fr")} OR s.from_status IS NULL) AND {_ok("tto")} AS ok
  FROM segments s
  {_resolve("fr", "s.from_status")}
  {_resolve("tto", "s.to_status")}
),
per_item AS (
  SELECT ss.work_item_id,
         min(ss.transitioned_at) FILTER (
           WHERE ss.to_category = 'in_progress'
             AND (ss.to_position IS NULL OR cp.pos IS NULL OR ss.to_position >= cp.pos)) AS cycle_started_at,
         bool_or(ss.has_from AND ss.from_category = 'done' AND ss.to_category <> 'done') AS reopened,
         coalesce(sum(ss.seconds) FILTER (WHERE ss.has_from AND ss.from_category = 'in_progress'), 0) AS active_seconds,
         bool_and(ss.ok) AS chain_ok
  FROM step_segments ss CROSS JOIN commit_pos cp
  GROUP BY ss.work_item_id
),
item_facts AS (
  SELECT c.id, c.key, c.summary, c.issue_type, c.project, c.status, c.opened_at, p.cycle_started_at,
         c.completed_at,
         {hours("c.completed_at", "p.cycle_started_at")} AS cycle_time_hours,
         {hours("c.completed_at", "c.opened_at")} AS lead_time_hours,
         coalesce(p.active_seconds, 0) / 3600.0 AS active_hours,
         coalesce(p.reopened, false) AS reopened,
         {bucket("c.completed_at", granularity)} AS bucket
  FROM completed c LEFT JOIN per_item p ON p.work_item_id = c.id
  WHERE coalesce(p.chain_ok, true)
)"""


def _wip_sql() -> str:
    return f"""
SELECT count(*) FROM scope_items si
LEFT JOIN LATERAL (
  SELECT t.to_status FROM work_item_transitions t
  WHERE t.client_id = :cid AND t.work_item_id = si.id AND t.active AND t.transitioned_at < :wip_at
  ORDER BY t.transitioned_at DESC, t.id DESC LIMIT 1
) lt ON true
LEFT JOIN LATERAL (
  SELECT t.from_status FROM work_item_transitions t
  WHERE t.client_id = :cid AND t.work_item_id = si.id AND t.active
  ORDER BY t.transitioned_at, t.id LIMIT 1
) ft ON lt.to_status IS NULL
{_resolve("st", "coalesce(lt.to_status, ft.from_status, si.status)")}
WHERE si.opened_at < :wip_at AND {_category("st")} = 'in_progress' AND {_ok("st")}"""


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

STEPS = """
SELECT ss.from_step AS step, ss.from_category AS category, min(ss.from_position) AS position,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ss.seconds / 3600.0) AS median_hours
FROM (
  SELECT work_item_id, from_step, from_category, min(from_position) AS from_position, sum(seconds) AS seconds
  FROM step_segments WHERE has_from AND work_item_id IN (SELECT id FROM item_facts)
  GROUP BY work_item_id, from_step, from_category
) ss
GROUP BY ss.from_step, ss.from_category
ORDER BY min(ss.from_position) NULLS LAST, ss.from_step"""


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


def _check(db_session: Session, filters: Filters) -> None:
    check_filters(db_session=db_session, filters=Filters(client_id=filters.client_id, team_id=filters.team_id))


def summary(*, db_session: Session, period: Period, filters: Filters) -> dict[str, Any]:
    """Flow metrics of the items completed in the period, WIP at its end (or now), time in each step."""
    _check(db_session, filters)
    ctes = flow_ctes(filters)
    bound = _bound(period, filters, [period.from_date])
    row = db_session.execute(text(ctes + AGGREGATE), bound).mappings().one()
    wip = int(db_session.execute(text(ctes + _wip_sql()), bound).scalar_one())
    steps = db_session.execute(text(ctes + STEPS), bound).mappings().all()
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


def trend(*, db_session: Session, period: Period, filters: Filters, granularity: str) -> dict[str, Any]:
    """Cycle time, lead time, throughput, efficiency and reopen rate per week or month of completion."""
    _check(db_session, filters)
    buckets = bucket_starts(period, granularity)
    rows = db_session.execute(
        text(flow_ctes(filters, granularity) + AGGREGATE), _bound(period, filters, buckets)
    ).mappings()
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


def _items(period: Period, filters: Filters, sort: str | None, order: str | None) -> tuple[str, str, dict[str, Any]]:
    order_by = drilldown.order_clause(sort, order, ITEM_SORTS, "completed_at", "id")
    return flow_ctes(filters), order_by, _bound(period, filters, [period.from_date])


def items_page(
    *,
    db_session: Session,
    period: Period,
    filters: Filters,
    sort: str | None,
    order: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The completed work items behind the flow figures, one page."""
    _check(db_session, filters)
    ctes, order_by, bound = _items(period, filters, sort, order)
    return drilldown.page(
        db_session, ctes=ctes, select=ITEM_SELECT, order_by=order_by, bound=bound, limit=limit, offset=offset
    )


def items_csv(
    *, db_session: Session, period: Period, filters: Filters, sort: str | None, order: str | None
) -> Iterator[str]:
    """Every completed work item behind the flow figures, as CSV chunks."""
    _check(db_session, filters)
    ctes, order_by, bound = _items(period, filters, sort, order)
    return drilldown.csv_rows(
        db_session, ctes=ctes, select=ITEM_SELECT, order_by=order_by, bound=bound, columns=ITEM_COLUMNS
    )
