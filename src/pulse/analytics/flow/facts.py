"""Flow facts, rebuilt per Jira project: items, their time per step, and their in-progress intervals.

* `metric_work_items`: every active work item whose issue type is usable, with `completed_at`, cycle and lead
  time, in-progress hours and the reopen flag set when it counts as completed (as `item_facts` defines it);
* `metric_work_item_segments`: for each completed item, the hours it spent in each step (visits summed);
* `metric_work_item_wip`: the intervals (started_at, ended_at] during which the item's status resolved to an
  active in-progress step, so WIP at any instant is a count of the intervals containing it.

All are computed by the live definitions (`flow.definitions`) under the tenant's current flow configuration,
which is why every settings write rebuilds them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.flow.definitions import build_ctes, category, ok, resolve

# Rows go in completion order so that a period's rows sit together on disk (range scans stay cheap).
_BUILD = f""",
transitions AS (
  SELECT t.work_item_id, si.project_id, si.opened_at, t.to_status, t.transitioned_at,
         lead(t.transitioned_at) OVER w AS next_at
  FROM scope_items si
  JOIN work_item_transitions t ON t.client_id = :cid AND t.work_item_id = si.id AND t.active
  WINDOW w AS (PARTITION BY t.work_item_id ORDER BY t.transitioned_at, t.id)
),
spans AS (
  -- Up to the first transition the item is in that transition's from-status (else its current status);
  -- after each transition, in its to-status until the next one.
  SELECT si.id AS work_item_id, si.project_id, si.opened_at, '-infinity'::timestamptz AS started_at,
         coalesce(ft.transitioned_at, 'infinity'::timestamptz) AS ended_at,
         coalesce(ft.from_status, si.status) AS status
  FROM scope_items si
  LEFT JOIN LATERAL (
    SELECT t.transitioned_at, t.from_status FROM work_item_transitions t
    WHERE t.client_id = :cid AND t.work_item_id = si.id AND t.active
    ORDER BY t.transitioned_at, t.id LIMIT 1
  ) ft ON true
  UNION ALL
  SELECT t.work_item_id, t.project_id, t.opened_at, t.transitioned_at, coalesce(t.next_at, 'infinity'::timestamptz),
         t.to_status
  FROM transitions t
),
ins_items AS (
  INSERT INTO metric_work_items (client_id, work_item_id, project_id, key, summary, issue_type, status, opened_at,
                                 source_updated_at, cycle_started_at, completed_at, cycle_time_hours,
                                 lead_time_hours, active_hours, reopened)
  SELECT :cid, si.id, si.project_id, si.key, si.summary, si.issue_type, si.status, si.opened_at,
         si.source_updated_at, f.cycle_started_at, f.completed_at, f.cycle_time_hours, f.lead_time_hours,
         f.active_hours, coalesce(f.reopened, false)
  FROM scope_items si LEFT JOIN item_facts f ON f.id = si.id
  ORDER BY f.completed_at NULLS LAST, si.id
  RETURNING 1
),
ins_segments AS (
  INSERT INTO metric_work_item_segments (client_id, work_item_id, project_id, completed_at, source_updated_at,
                                         step, category, position, hours)
  SELECT :cid, f.id, si.project_id, f.completed_at, si.source_updated_at, ss.from_step, ss.from_category,
         min(ss.from_position), (sum(ss.seconds) / 3600.0)::float8
  FROM step_segments ss
  JOIN item_facts f ON f.id = ss.work_item_id
  JOIN scope_items si ON si.id = f.id
  WHERE ss.has_from AND f.completed_at IS NOT NULL
  GROUP BY f.id, si.project_id, f.completed_at, si.source_updated_at, ss.from_step, ss.from_category
  ORDER BY f.completed_at, f.id, ss.from_step
  RETURNING 1
),
ins_wip AS (
  INSERT INTO metric_work_item_wip (client_id, work_item_id, project_id, opened_at, started_at, ended_at)
  SELECT :cid, sp.work_item_id, sp.project_id, sp.opened_at, sp.started_at, sp.ended_at
  FROM spans sp {resolve("st", "sp.status")}
  WHERE sp.started_at < sp.ended_at AND {category("st")} = 'in_progress' AND {ok("st")}
  ORDER BY sp.ended_at, sp.work_item_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins_items) AS work_items, (SELECT count(*) FROM ins_segments) AS segments,
       (SELECT count(*) FROM ins_wip) AS wip_intervals"""

TABLES = ("metric_work_items", "metric_work_item_segments", "metric_work_item_wip")


def rebuild(*, db_session: Session, client_id: int, project_ids: Collection[int] | None = None) -> dict[str, int]:
    """Replace the flow facts of the tenant (or of `project_ids` only) in the caller's transaction; row counts."""
    bound: dict[str, Any] = {"cid": client_id, "from_date": date(1900, 1, 1)}
    if project_ids is None:
        return _build(db_session, bound, facts="", items="")
    bound["project_ids"] = sorted(project_ids)
    return _build(
        db_session, bound, facts=_IN_PROJECTS.format(p="project_id"), items=_IN_PROJECTS.format(p="wi.project_id")
    )


def refresh(
    *, db_session: Session, client_id: int, project_ids: Collection[int], work_item_ids: Collection[int]
) -> dict[str, int]:
    """Rebuild the facts of every item of `project_ids` and of the `work_item_ids` elsewhere; row counts.

    An item's facts depend on its own row, its transitions and the configuration only, so the incremental
    refresh rebuilds exactly the items a write touched.
    """
    counts = dict.fromkeys(("work_items", "segments", "wip_intervals"), 0)
    if project_ids:
        counts = rebuild(db_session=db_session, client_id=client_id, project_ids=project_ids)
    if work_item_ids:
        bound: dict[str, Any] = {
            "cid": client_id,
            "from_date": date(1900, 1, 1),
            "work_item_ids": sorted(set(work_item_ids)),
            "project_ids": sorted(project_ids),
        }
        # Items of the projects rebuilt above are done.
        facts = f"{_IN_ITEMS.format(i='work_item_id')} AND NOT {_IN_PROJECTS.format(p='project_id')}"
        items = f"{_IN_ITEMS.format(i='wi.id')} AND NOT {_IN_PROJECTS.format(p='wi.project_id')}"
        more = _build(db_session, bound, facts=facts, items=items)
        counts = {k: counts[k] + more[k] for k in counts}
    return counts


_IN_PROJECTS = "({p} = ANY(CAST(:project_ids AS bigint[])))"
_IN_ITEMS = "({i} = ANY(CAST(:work_item_ids AS bigint[])))"


def _build(db_session: Session, bound: dict[str, Any], *, facts: str, items: str) -> dict[str, int]:
    """Delete the facts matching `facts` (a condition on the fact tables' columns, "" for all the tenant's) and
    insert them again from the source items matching `items` (the same condition on the work item `wi`)."""
    for table in TABLES:
        db_session.execute(text(f"DELETE FROM {table} WHERE client_id = :cid{' AND ' + facts if facts else ''}"), bound)
    sql = build_ctes(scope=f" AND {items}" if items else "") + _BUILD
    # The chain joins CTEs to each other, whose row estimates can be far off (a tenant synced for the first
    # time has no statistics yet): a nested loop over two CTE scans is then quadratic. Hash and merge joins
    # are right at every size; the LATERAL lookups stay nested loops (the only plan for them). The penalty
    # that switch adds to the plan's cost would also trigger JIT compilation (seconds, for nothing): off too.
    settings = {"enable_nestloop": "off", "jit": "off"}
    previous = {k: db_session.execute(text(f"SELECT current_setting('{k}')")).scalar_one() for k in settings}
    for key, value in settings.items():
        db_session.execute(text("SELECT set_config(:k, :v, true)"), {"k": key, "v": value})
    try:
        counts = db_session.execute(text(sql), bound).mappings().one()
    finally:
        for key, value in previous.items():
            db_session.execute(text("SELECT set_config(:k, :v, true)"), {"k": key, "v": value})
    return {k: int(v) for k, v in counts.items()}
