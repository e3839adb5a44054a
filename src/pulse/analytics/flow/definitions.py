"""The flow definitions as SQL over the source rows: the live path, and what the flow facts are built from.

A work item's status resolves to a flow step through the tenant's active status mapping; a status without
any mapping falls back to its Jira status category (new -> to_do, indeterminate -> in_progress, done -> done)
and is its own step. An item is excluded when any status it has held maps only through an inactive mapping
or an inactive step, or its issue type mapping or hierarchy level is inactive.
"""

from __future__ import annotations

from pulse.analytics.period import Filters
from pulse.analytics.sql import bucket, hours, jira_ctes


def resolve(alias: str, status: str) -> str:
    """Joins that resolve the status column `status` to its step (`{alias}_sm`, `{alias}_jc`)."""
    return (
        f"LEFT JOIN status_map {alias}_sm ON {alias}_sm.status_key = lower({status})"
        f" LEFT JOIN jira_cat {alias}_jc ON {alias}_jc.status_key = lower({status})"
    )


def category(alias: str) -> str:
    """The flow category of a status resolved by `resolve(alias, ...)`."""
    return f"coalesce({alias}_sm.category, {alias}_jc.category, 'to_do')"


def ok(alias: str) -> str:
    """Whether a status resolved by `resolve(alias, ...)` maps through active records only."""
    return f"coalesce({alias}_sm.ok, true)"


def _config_ctes() -> str:
    return f"""{jira_ctes()},
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
)"""


def _item_ctes(projects: str, scope: str, granularity: str | None, *, window: bool) -> str:
    """From `scope_items` (usable items of the `projects` join, narrowed by `scope`) to `item_facts`.

    `window`: only items completed in [:start, :end); otherwise every completed item (the facts build).
    """
    # Jira bumps `updated` on every transition, so an item completed in the window was updated in it or later.
    updated = "si.source_updated_at >= :start AND " if window else ""
    completed = "WHERE completed_at >= :start AND completed_at < :end" if window else ""
    return f"""scope_items AS (
  SELECT wi.id, wi.project_id, wi.key, wi.summary, wi.issue_type, wi.status, wi.opened_at, wi.resolved_at,
         wi.source_updated_at, ap.key AS project
  FROM work_items wi
  {projects}
  LEFT JOIN type_map tm ON tm.type_key = lower(wi.issue_type)
  WHERE wi.client_id = :cid AND wi.active AND coalesce(tm.ok, true){scope}
),
done_items AS (
  SELECT si.*, coalesce(lt.transitioned_at, si.resolved_at) AS completed_at
  FROM scope_items si
  {resolve("cur", "si.status")}
  LEFT JOIN LATERAL (
    SELECT t.transitioned_at FROM work_item_transitions t
    WHERE t.client_id = :cid AND t.work_item_id = si.id AND t.active
    ORDER BY t.transitioned_at DESC, t.id DESC LIMIT 1
  ) lt ON true
  WHERE {updated}{category("cur")} = 'done' AND {ok("cur")}
),
completed AS (
  SELECT * FROM done_items {completed}
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
         coalesce(fr_sm.step, s.from_status) AS from_step, {category("fr")} AS from_category,
         fr_sm.position AS from_position, {category("tto")} AS to_category, tto_sm.position AS to_position,
         extract(epoch FROM s.transitioned_at - s.segment_start) AS seconds,
         s.from_status IS NOT NULL AS has_from,
         ({ok("fr")} OR s.from_status IS NULL) AND {ok("tto")} AS ok
  FROM segments s
  {resolve("fr", "s.from_status")}
  {resolve("tto", "s.to_status")}
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


def flow_ctes(filters: Filters, granularity: str | None = None) -> str:
    """CTEs up to `item_facts` (completed items in the window) and `step_segments` (their time per status)."""
    conditions = []
    if filters.project:
        conditions.append("lower(ap.key) = :project")
    if filters.team_id is not None:
        conditions.append("wi.project_id IN (SELECT project_id FROM project_teams WHERE team_id = :team_id)")
    scope = "".join(f" AND {c}" for c in conditions)
    projects = "JOIN active_projects ap ON ap.id = wi.project_id"
    return f"WITH {_config_ctes()},\n{_item_ctes(projects, scope, granularity, window=True)}"


def build_ctes(*, scope: str = "") -> str:
    """The same chain over every item of the tenant (narrowed by `scope`, a condition on the work item `wi`),
    whatever the window or project state.

    Project and integration deactivations, the project filter and team memberships are applied when reading
    the facts, so the build keeps the items of inactive projects too.
    """
    projects = "JOIN jira_projects ap ON ap.id = wi.project_id"
    return f"WITH {_config_ctes()},\n{_item_ctes(projects, scope, None, window=False)}"


def wip_sql() -> str:
    """SELECT: the live count of `scope_items` whose status at `:wip_at` resolves to an in-progress step."""
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
{resolve("st", "coalesce(lt.to_status, ft.from_status, si.status)")}
WHERE si.opened_at < :wip_at AND {category("st")} = 'in_progress' AND {ok("st")}"""


# The steps behind "time in step", live: per item and step the summed time, then the median per step.
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
