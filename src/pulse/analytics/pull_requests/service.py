"""Pull request analytics computed in PostgreSQL over the PRs merged in the period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics import drilldown
from pulse.analytics.freshness.service import ensure_fresh
from pulse.analytics.period import Filters, Period, bucket_bounds, bucket_days, bucket_starts
from pulse.analytics.pull_requests.facts import COLUMNS, STAGES, stage_columns
from pulse.analytics.scope import check_filters, whole_tenant
from pulse.analytics.sql import MICROS_PER_HOUR, bucket, is_production, params, repo_ctes, rule_ctes, sort_in_memory


def _deployment_joins(filters: Filters) -> tuple[str, str, str]:
    """FROM-clause joins giving each PR `dep_id` and `dep_at`, live from the source rows.

    The deployment is the earliest successful production one the compare data links the PR to; without a
    link, the first production deployment of its repository finished at or after the merge, when that
    deployment's compare data is missing (the same fallback as DORA's changes).
    """
    prod_d = is_production(filters, "d", "rr")
    joins = f"""LEFT JOIN LATERAL (
    SELECT d.id, d.finished_at
    FROM deployment_pull_requests dpr
    JOIN deployments d ON d.id = dpr.deployment_id
    JOIN repo_rules rr ON rr.repository_id = d.repository_id
    WHERE dpr.pull_request_id = pr.id AND dpr.active AND {prod_d}
    ORDER BY d.finished_at, d.id LIMIT 1
  ) l ON true
  LEFT JOIN LATERAL (
    SELECT n.id, n.finished_at FROM (
      SELECT d.id, d.finished_at, d.changes_computed
      FROM deployments d JOIN repo_rules rr ON rr.repository_id = d.repository_id
      WHERE d.repository_id = pr.repository_id AND d.finished_at >= pr.merged_at AND {prod_d}
      ORDER BY d.finished_at, d.id LIMIT 1
    ) n
    WHERE NOT n.changes_computed
      AND NOT EXISTS (SELECT 1 FROM deployment_pull_requests x WHERE x.deployment_id = n.id AND x.active)
      AND NOT EXISTS (SELECT 1 FROM deployment_pull_requests y WHERE y.pull_request_id = pr.id AND y.active)
  ) fb ON l.id IS NULL"""
    return joins, "coalesce(l.id, fb.id)", "coalesce(l.finished_at, fb.finished_at)"


def live_ctes(filters: Filters, granularity: str | None = None) -> str:
    """`prs` and `pr_facts` computed from the source rows: one row per PR merged in the window."""
    joins, dep_id, dep_at = _deployment_joins(filters)
    rules = f"{rule_ctes()},\n"
    return f"""WITH {repo_ctes(filters)},
{rules}prs AS (
  SELECT pr.*, ar.full_name AS repository
  FROM pull_requests pr JOIN scope_repos ar ON ar.id = pr.repository_id
  WHERE pr.client_id = :cid AND pr.active AND pr.merged_at >= :start AND pr.merged_at < :end
),
pr_facts AS (
  SELECT pr.id AS pull_request_id, pr.repository, pr.number, pr.title, pr.author_login AS author,
         pr.first_commit_at, pr.opened_at, pr.first_review_at, pr.merged_at,
         {dep_id} AS deployment_id, {dep_at} AS deployed_at,
         {stage_columns(dep_at)},
         {bucket("pr.merged_at", granularity)} AS bucket
  FROM prs pr
  {joins}
)"""


def fact_ctes(filters: Filters, granularity: str | None = None, *, whole: bool = False, listing: bool = False) -> str:
    """`prs` and `pr_facts` read from `metric_pull_requests` (the same columns as `live_ctes`).

    `whole`: no filter and every repository and integration active, so no row needs the scope check.
    `listing`: the drill-down's form, with each PR's repository name (the aggregates need not pay for it).
    A trend (`granularity`) reads each bucket's PRs by an index range scan of its instant window (`:bucket_lo`,
    `:bucket_hi`), bucket after bucket, so the rows arrive grouped, without sorting the period's PRs by bucket
    or converting each merge time to the tenant's calendar.
    """
    columns = ", ".join(f"f.{c}" for c in COLUMNS)
    if granularity is not None and not listing:
        scan = _bucket_scan_ctes(whole)
        return f"WITH {repo_ctes(filters)},\n{scan},\npr_facts AS (SELECT f.bucket, {columns} FROM prs f)"
    scope = "" if whole else "\n    AND f.repository_id IN (SELECT id FROM scope_repos)"
    # The repository's name is a sub-select, so a page computes it for its rows only, after the limit (a join
    # would let the planner read the period repository by repository and sort it). Every PR in scope has an
    # active repository, so the join filtered nothing.
    repository = "(SELECT ar.full_name FROM all_repos ar WHERE ar.id = f.repository_id)" if listing else "NULL"
    # Not materialized: the page's total counts the same rows off the index.
    return f"""WITH {repo_ctes(filters)},
prs AS NOT MATERIALIZED (
  SELECT f.* FROM metric_pull_requests f
  WHERE f.client_id = :cid AND f.merged_at >= :start AND f.merged_at < :end{scope}
),
pr_facts AS (
  SELECT f.pull_request_id, {repository} AS repository, f.number, f.title, f.author, f.first_commit_at, f.opened_at,
         f.first_review_at, f.merged_at, f.deployment_id, f.deployed_at, {columns},
         CAST(:from_date AS date) AS bucket
  FROM prs f
)"""


def _bucket_scan_ctes(whole: bool) -> str:
    """`prs`: the PRs of each bucket's window with their bucket, in bucket order.

    Scoped, one range scan per bucket and repository (the `(client_id, repository_id, merged_at)` index).
    `OFFSET 0` keeps each scan a scan of its own range: joined freely, the planner may read every row of the
    scope once and test it against every bucket.
    """
    ranges, scope, repository = (
        ("", "", "")
        if whole
        else (", sr.id AS repository_id", " CROSS JOIN scope_repos sr", " AND f.repository_id = r.repository_id")
    )
    return f"""bucket_ranges AS (
  SELECT r.bucket, r.lo, r.hi{ranges}
  FROM unnest(CAST(:buckets AS date[]), CAST(:bucket_lo AS timestamptz[]), CAST(:bucket_hi AS timestamptz[]))
       AS r(bucket, lo, hi){scope}
  ORDER BY r.bucket
),
prs AS (
  SELECT f.*, r.bucket FROM bucket_ranges r
  CROSS JOIN LATERAL (
    SELECT f.* FROM metric_pull_requests f
    WHERE f.client_id = :cid AND f.merged_at >= r.lo AND f.merged_at < r.hi{repository} OFFSET 0
  ) f
)"""


# The two middle values of the ordered population (one sort gives both): PostgreSQL's `percentile_disc(p)` is
# the value at position ceil(p * n), so 0.5 gives the lower middle and 0.5 + 1e-10 the upper one (the same
# value when n is odd) for any n below 10^10. Their mean is `percentile_cont(0.5)`, exactly: the stage
# durations are whole microseconds and the sizes integers, and bigint / integer sorts are far cheaper than
# double precision ones (eleven medians over a year of a large tenant's PRs, docs/metrics.md).
MIDDLE = "percentile_disc(ARRAY[0.5, 0.5000000001]::float8[]) WITHIN GROUP (ORDER BY {column})"
MEDIANS = {
    "coding": "coding_us", "pickup": "pickup_us", "review": "review_us", "deploy": "deploy_us", "total": "total_us",
    "lines": "lines", "files": "files", "reviews": "reviews", "comments": "comments", "cycles": "review_cycles",
}  # fmt: skip
_MEDIAN_COLUMNS = ",\n         ".join(f"{MIDDLE.format(column=column)} AS {name}" for name, column in MEDIANS.items())
AGGREGATE = f"""
SELECT bk.bucket, f.merged, {", ".join(f"f.{name}" for name in MEDIANS)}, f.reworked
FROM (SELECT unnest(CAST(:buckets AS date[])) AS bucket) bk
LEFT JOIN (
  SELECT bucket, count(*) AS merged,
         {_MEDIAN_COLUMNS},
         count(*) FILTER (WHERE rework_commits > 0) AS reworked
  FROM pr_facts GROUP BY bucket
) f ON f.bucket = bk.bucket
ORDER BY bk.bucket"""


def _median(middle: list[int] | None, unit: int = 1) -> float | None:
    """The median from the two middle values (`MIDDLE`), divided by `unit`; None without values."""
    if not middle:
        return None
    return (middle[0] + middle[1]) / 2 / unit


def _point(row: Any, days: int) -> dict[str, Any]:
    merged = int(row["merged"] or 0)
    weeks = days / 7
    stage = {name: _median(row[name], MICROS_PER_HOUR) for name in STAGES}
    return {
        "cycle_time": {f"{name}_hours": value for name, value in stage.items()},
        "throughput": {"merged": merged, "per_week": merged / weeks if weeks else 0.0},
        "size": {"median_lines": _median(row["lines"]), "median_files": _median(row["files"])},
        "review": {
            "median_reviews": _median(row["reviews"]),
            "median_comments": _median(row["comments"]),
            "review_cycles": _median(row["cycles"]),
        },
        "rework": {"rate": int(row["reworked"] or 0) / merged if merged else None},
    }


def _bound(period: Period, filters: Filters, buckets: list[date], granularity: str | None) -> dict[str, Any]:
    lo, hi = bucket_bounds(period, buckets, granularity)
    return params(period, filters, buckets=buckets, bucket_lo=lo, bucket_hi=hi, from_date=period.from_date)


def _ctes(db_session: Session, filters: Filters, granularity: str | None, live: bool, *, listing: bool = False) -> str:
    """Check the filters and give the `prs`/`pr_facts` CTEs: from the facts (built first if missing), or live.

    The facts hold deployments under the tenant's own production rule, so an `environment` filter (which
    replaces the rule) always reads live.
    """
    check_filters(db_session=db_session, filters=filters)
    sort_in_memory(db_session)
    if live or filters.environment:
        return live_ctes(filters, granularity)
    ensure_fresh(db_session=db_session, client_id=filters.client_id)
    whole = whole_tenant(db_session=db_session, filters=filters)
    return fact_ctes(filters, granularity, whole=whole, listing=listing)


def summary(*, db_session: Session, period: Period, filters: Filters, live: bool = False) -> dict[str, Any]:
    """Medians of each cycle-time stage, throughput, size, review depth and rework over the period."""
    sql = _ctes(db_session, filters, None, live) + AGGREGATE
    row = db_session.execute(text(sql), _bound(period, filters, [period.from_date], None)).mappings().one()
    return {
        "period": {"from": period.from_date.isoformat(), "to": period.to_date.isoformat(), "tz": period.tz},
        **_point(row, period.days),
    }


def trend(
    *, db_session: Session, period: Period, filters: Filters, granularity: str, live: bool = False
) -> dict[str, Any]:
    """The same figures per week or month (by merge time), every period present."""
    buckets = bucket_starts(period, granularity)
    sql = _ctes(db_session, filters, granularity, live) + AGGREGATE
    rows = db_session.execute(text(sql), _bound(period, filters, buckets, granularity)).mappings().all()
    return {
        "granularity": granularity,
        "points": [
            {"period_start": r["bucket"].isoformat(), **_point(r, bucket_days(period, r["bucket"], granularity))}
            for r in rows
        ],
    }


ITEM_COLUMNS = [
    "pull_request_id", "repository", "number", "title", "author", "first_commit_at", "opened_at", "first_review_at",
    "merged_at", "deployed_at", "deployment_id", "coding_hours", "pickup_hours", "review_hours", "deploy_hours",
    "total_hours", "lines", "files", "reviews", "comments", "review_cycles", "rework_commits",
]  # fmt: skip
# Stage durations are stored in microseconds and listed in hours (the same double the division always gives).
ITEM_SELECT = (
    "SELECT "
    + ", ".join(
        f"{c.removesuffix('_hours')}_us / {MICROS_PER_HOUR}::float8 AS {c}" if c.removesuffix("_hours") in STAGES else c
        for c in ITEM_COLUMNS
    )
    + " FROM pr_facts"
)
ITEM_SORTS = {c: c for c in ITEM_COLUMNS if c not in ("title", "author")}


def _items(
    db_session: Session, period: Period, filters: Filters, sort: str | None, order: str | None, live: bool
) -> tuple[str, str, dict[str, Any]]:
    ctes = _ctes(db_session, filters, None, live, listing=True)
    order_by = drilldown.order_clause(sort, order, ITEM_SORTS, "merged_at", "pull_request_id")
    # The CTEs open the WITH clause; the drill-down helpers append `, rows AS (...)`.
    return ctes, order_by, params(period, filters, from_date=period.from_date)


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
    """The merged PRs behind the figures, one page."""
    ctes, order_by, bound = _items(db_session, period, filters, sort, order, live)
    return drilldown.page(
        db_session,
        ctes=ctes,
        select=ITEM_SELECT,
        order_by=order_by,
        bound=bound,
        limit=limit,
        offset=offset,
        count_select="SELECT count(*) FROM prs",
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
    """Every merged PR behind the figures, as CSV chunks."""
    ctes, order_by, bound = _items(db_session, period, filters, sort, order, live)
    return drilldown.csv_rows(
        db_session, ctes=ctes, select=ITEM_SELECT, order_by=order_by, bound=bound, columns=ITEM_COLUMNS
    )
