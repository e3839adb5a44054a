"""SQL building blocks shared by the metrics: scope, rules, production deployments, changes and incidents.

Each function returns CTE text (joined with commas by the caller) using the bound parameters `:cid` (tenant),
`:start`/`:end` (the half-open UTC window), `:tz`, and when a filter is set `:repository_id`, `:team_id`,
`:environment`. Every CTE drops rows whose chain holds an inactive record (repository, integration, team,
mapping, level, step) so no metric can see them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.period import Filters, Period
from pulse.core.db.models.analytics import DEFAULT_ENVIRONMENT_PATTERN

# Sources of the `incidents` table; their facts are re-checked against the integration's active flag.
TOOL_SOURCES = "'pagerduty', 'opsgenie', 'push'"
RULE_ORDER = "CASE {a}.scope WHEN 'team' THEN 0 WHEN 'integration' THEN 1 ELSE 2 END, {a}.id"


# Memory each sort of a metrics read may take. Exact medians sort every value of the period (a year of a large
# tenant is 225,000 PRs, several columns); PostgreSQL's default 4 MB spills them to disk. A sort only takes what
# it needs, and SET LOCAL ends with the read's transaction.
SORT_MEMORY = "64MB"


def sort_in_memory(db_session: Session) -> None:
    """Give the current transaction's sorts `SORT_MEMORY` (the medians of a large period stay in memory)."""
    db_session.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))


def params(period: Period, filters: Filters, **extra: Any) -> dict[str, Any]:
    """The bound parameters the CTEs use."""
    out: dict[str, Any] = {
        "cid": filters.client_id,
        "start": period.start,
        "end": period.end,
        "tz": period.tz,
        "default_env_pattern": DEFAULT_ENVIRONMENT_PATTERN,
    }
    if filters.repository_id is not None:
        out["repository_id"] = filters.repository_id
    if filters.team_id is not None:
        out["team_id"] = filters.team_id
    if filters.environment:
        out["environment"] = filters.environment.strip().lower()
    if filters.project:
        out["project"] = filters.project.strip().lower()
    out.update(extra)
    return out


def team_repos_cte() -> str:
    """`team_repos(team_id, repository_id)`: active memberships of active teams."""
    return """team_repos AS (
  SELECT tr.team_id, tr.repository_id
  FROM team_repositories tr JOIN teams t ON t.id = tr.team_id AND t.active
  WHERE tr.client_id = :cid AND tr.active
)"""


def repo_ctes(filters: Filters) -> str:
    """`all_repos` (every usable repository of the tenant) and `scope_repos` (those the filters select)."""
    conditions = []
    if filters.repository_id is not None:
        conditions.append("ar.id = :repository_id")
    if filters.team_id is not None:
        conditions.append("ar.id IN (SELECT repository_id FROM team_repos WHERE team_id = :team_id)")
    where = " AND ".join(conditions) or "true"
    return f"""{team_repos_cte()},
all_repos AS (
  SELECT r.id, r.integration_id, r.full_name
  FROM repositories r JOIN integrations i ON i.id = r.integration_id AND i.active
  WHERE r.client_id = :cid AND r.active
),
scope_repos AS (
  SELECT ar.id, ar.integration_id, ar.full_name FROM all_repos ar WHERE {where}
)"""


def rule_ctes() -> str:
    """`repo_rules`: the deployment and incident rule each repository obeys (team > integration > tenant).

    Without a deployment rule, a GitLab integration's `deployment_source` setting (deployments or pipelines)
    picks the source of its projects; everything else counts `deployment` rows.
    """
    return f"""repo_rules AS (
  SELECT ar.id AS repository_id,
         coalesce(dr.source, ig.source, 'deployment') AS source,
         coalesce(dr.environment_pattern, :default_env_pattern) AS env_pattern,
         dr.workflow_name_pattern,
         coalesce(ir.github_labels, ARRAY['incident']) AS github_labels
  FROM all_repos ar
  LEFT JOIN LATERAL (
    SELECT gi.settings->>'deployment_source' AS source FROM integrations gi
    WHERE gi.id = ar.integration_id AND gi.type = 'gitlab'
      AND gi.settings->>'deployment_source' IN ('deployment', 'pipeline')
  ) ig ON true
  LEFT JOIN LATERAL (
    SELECT x.source, x.environment_pattern, x.workflow_name_pattern FROM deployment_rules x
    WHERE x.client_id = :cid AND x.active AND (x.scope = 'tenant'
      OR (x.scope = 'integration' AND x.integration_id = ar.integration_id)
      OR (x.scope = 'team' AND x.team_id IN (SELECT team_id FROM team_repos WHERE repository_id = ar.id)))
    ORDER BY {RULE_ORDER.format(a="x")} LIMIT 1
  ) dr ON true
  LEFT JOIN LATERAL (
    SELECT y.github_labels FROM incident_rules y
    WHERE y.client_id = :cid AND y.active AND (y.scope = 'tenant'
      OR (y.scope = 'integration' AND y.integration_id = ar.integration_id)
      OR (y.scope = 'team' AND y.team_id IN (SELECT team_id FROM team_repos WHERE repository_id = ar.id)))
    ORDER BY {RULE_ORDER.format(a="y")} LIMIT 1
  ) ir ON true
)"""


def is_production(filters: Filters, d: str = "d", rr: str = "rr") -> str:
    """Predicate: deployment row `d` (joined to its `repo_rules` row `rr`) is a successful production one."""
    if filters.environment:
        env = f"lower({d}.environment) = :environment"
    else:
        env = f"{d}.environment ~* {rr}.env_pattern"
    workflow = (
        f"({rr}.source <> 'workflow_run' OR {rr}.workflow_name_pattern IS NULL OR EXISTS ("
        f"SELECT 1 FROM workflow_runs wr WHERE wr.client_id = :cid AND wr.active"
        f" AND wr.repository_id = {d}.repository_id AND wr.head_sha = {d}.sha"
        f" AND wr.name ~* {rr}.workflow_name_pattern))"
    )
    # A pushed deployment belongs to its push integration, not to its repository's: that one must be live too.
    pushed = (
        f"({d}.source <> 'push' OR EXISTS (SELECT 1 FROM integrations pi"
        f" WHERE pi.id = {d}.integration_id AND pi.active))"
    )
    return (
        f"{d}.client_id = :cid AND {d}.active AND {d}.status = 'success' AND {d}.finished_at IS NOT NULL"
        f" AND {d}.source = {rr}.source AND {env} AND {workflow} AND {pushed}"
    )


def production_ctes(filters: Filters) -> str:
    """`win`: the successful production deployments of the scope that finished in the window."""
    return f"""win AS MATERIALIZED (
  SELECT d.id, d.repository_id, d.environment, d.sha, d.finished_at, d.changes_computed
  FROM deployments d
  JOIN repo_rules rr ON rr.repository_id = d.repository_id
  WHERE {is_production(filters)} AND d.finished_at >= :start AND d.finished_at < :end
    AND d.repository_id IN (SELECT id FROM scope_repos)
)"""


def latest_production_before(filters: Filters, repository: str, before: str, *, inclusive: bool = False) -> str:
    """Subquery: the latest successful production deployment of `repository` finished before `before`.

    An index scan on (client_id, repository_id, finished_at) walks backwards to the first match.
    """
    op = "<=" if inclusive else "<"
    return f"""SELECT d.id, d.finished_at FROM deployments d JOIN repo_rules rr ON rr.repository_id = d.repository_id
    WHERE d.client_id = :cid AND d.repository_id = {repository} AND d.finished_at {op} {before}
      AND {is_production(filters)}
    ORDER BY d.finished_at DESC, d.id DESC LIMIT 1"""


def change_ctes(filters: Filters, source: str = "win") -> str:
    """`changes(pull_request_id, deployment_id, deployed_at, started_at, lead_time_hours)`.

    The changes of a `source` deployment are the PRs the compare data links to it (`deployment_pull_requests`
    holds each PR once, for the first successful production deployment that shipped it). When a deployment's
    compare data is missing (`changes_computed` false and no PR recorded), the fallback gives it the PRs of
    its repository merged after the previous production deployment finished and no later than it finished,
    unless the compare data links them to some deployment.
    """
    return f"""linked AS (
  SELECT dpr.pull_request_id, s.id AS deployment_id, s.finished_at AS deployed_at
  FROM {source} s JOIN deployment_pull_requests dpr ON dpr.deployment_id = s.id AND dpr.active
),
fallback AS (
  SELECT pr.id AS pull_request_id, s.id AS deployment_id, s.finished_at AS deployed_at
  FROM {source} s
  LEFT JOIN LATERAL ({latest_production_before(filters, "s.repository_id", "s.finished_at")}) pv ON true
  JOIN pull_requests pr ON pr.client_id = :cid AND pr.repository_id = s.repository_id AND pr.active
    AND pr.merged_at IS NOT NULL AND pr.merged_at <= s.finished_at
    AND (pv.finished_at IS NULL OR pr.merged_at > pv.finished_at)
  WHERE NOT s.changes_computed
    AND NOT EXISTS (SELECT 1 FROM deployment_pull_requests dp WHERE dp.deployment_id = s.id AND dp.active)
    AND NOT EXISTS (SELECT 1 FROM deployment_pull_requests d3 WHERE d3.pull_request_id = pr.id AND d3.active)
),
changes AS MATERIALIZED (
  SELECT c.pull_request_id, c.deployment_id, c.deployed_at,
         coalesce(pr.first_commit_at, pr.opened_at) AS started_at,
         (extract(epoch FROM c.deployed_at - coalesce(pr.first_commit_at, pr.opened_at)) / 3600.0)::float8
           AS lead_time_hours
  FROM (SELECT * FROM linked UNION ALL SELECT * FROM fallback) c
  JOIN pull_requests pr ON pr.id = c.pull_request_id AND pr.active
)"""


def incident_ctes(filters: Filters, restrict: str = "true") -> str:
    """`incidents(source, id, key, title, opened_at, resolved_at, repo_ids, in_scope, deployment_id, ...)`.

    Incidents opened at or after `:inc_from`, from GitHub issues carrying an incident label, Jira work
    items whose (mapped) type is an incident type and the `incidents` table (PagerDuty, Opsgenie, push), each
    attributed to the latest successful production deployment of its repositories (a GitHub issue's own; a
    Jira item's team's; an incident tool's mapped ones) finished before it opened.
    `restrict` (a predicate on the raw incident `i`) keeps only some of them: the incremental refresh's scope.
    """
    if filters.repository_id is None and filters.team_id is None:
        in_scope = "true"
    else:
        in_scope = "i.repo_ids && ARRAY(SELECT id FROM scope_repos)"
    return f"""{tool_incident_cte()},
project_rules AS (
  SELECT ap.id AS project_id, coalesce(ir.jira_issue_types, ARRAY['incident']) AS jira_issue_types
  FROM active_projects ap
  LEFT JOIN LATERAL (
    SELECT y.jira_issue_types FROM incident_rules y
    WHERE y.client_id = :cid AND y.active AND (y.scope = 'tenant'
      OR (y.scope = 'integration' AND y.integration_id = ap.integration_id)
      OR (y.scope = 'team' AND y.team_id IN (SELECT team_id FROM project_teams WHERE project_id = ap.id)))
    ORDER BY {RULE_ORDER.format(a="y")} LIMIT 1
  ) ir ON true
),
raw_incidents AS (
  SELECT CASE WHEN gint.type = 'gitlab' THEN 'gitlab' ELSE 'github' END::text AS source, gi.id,
         ar.full_name || '#' || gi.number AS key, gi.title, gi.opened_at,
         CASE WHEN gi.state = 'closed' THEN gi.closed_at END AS resolved_at, ARRAY[gi.repository_id] AS repo_ids
  FROM github_issues gi
  JOIN all_repos ar ON ar.id = gi.repository_id
  JOIN integrations gint ON gint.id = gi.integration_id
  JOIN repo_rules rr ON rr.repository_id = gi.repository_id
  WHERE gi.client_id = :cid AND gi.active AND gi.opened_at >= :inc_from AND gi.labels && rr.github_labels
  UNION ALL
  SELECT 'jira'::text, wi.id, wi.key, wi.summary, wi.opened_at, wi.resolved_at,
         ARRAY(SELECT DISTINCT trp.repository_id FROM team_repos trp JOIN teams t ON t.id = trp.team_id
               WHERE trp.team_id IN (SELECT team_id FROM project_teams WHERE project_id = wi.project_id)
                  OR (wi.team IS NOT NULL AND lower(t.name) = lower(wi.team)))
  FROM work_items wi
  JOIN active_projects ap ON ap.id = wi.project_id
  JOIN project_rules pru ON pru.project_id = wi.project_id
  LEFT JOIN type_map tm ON tm.type_key = lower(wi.issue_type)
  WHERE wi.client_id = :cid AND wi.active AND wi.opened_at >= :inc_from AND coalesce(tm.ok, true)
    AND coalesce(tm.work_item_type, lower(wi.issue_type)) = ANY(pru.jira_issue_types)
  UNION ALL
  SELECT ti.source, ti.id, ti.key, ti.title, ti.opened_at, ti.resolved_at, ti.repo_ids
  FROM tool_incidents ti WHERE ti.opened_at >= :inc_from
),
incidents AS MATERIALIZED (
  SELECT i.*, {in_scope} AS in_scope, a.id AS deployment_id, a.finished_at AS deployment_finished_at
  FROM raw_incidents i
  LEFT JOIN LATERAL (
    SELECT x.id, x.finished_at FROM unnest(i.repo_ids) AS r(repository_id)
    CROSS JOIN LATERAL ({latest_production_before(filters, "r.repository_id", "i.opened_at")}) x
    ORDER BY x.finished_at DESC, x.id DESC LIMIT 1
  ) a ON true
  WHERE {restrict}
)"""


def tool_incident_cte() -> str:
    """`tool_incidents(source, id, key, title, opened_at, resolved_at, repo_ids)`: rows of the `incidents` table.

    Active rows of active integrations. A row naming its repository (the push API) belongs to it; any other
    row to the repositories its integration's `settings.service_mappings` give its service (matched by id or
    name, ignoring case): the mapped `repository_ids` plus the repositories of the mapped `team_ids`. An
    unmapped service's incidents get no repository, so no deployment: they count in time to restore only.
    """
    return """tool_incidents AS (
  SELECT x.source, x.id, x.key, x.title, x.opened_at, x.resolved_at,
    CASE WHEN x.repository_id IS NOT NULL
      THEN ARRAY(SELECT ar.id FROM all_repos ar WHERE ar.id = x.repository_id)
      ELSE ARRAY(
        SELECT DISTINCT ar.id
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ig.settings -> 'service_mappings') = 'array'
                                       THEN ig.settings -> 'service_mappings' ELSE '[]'::jsonb END) m
        JOIN all_repos ar ON ar.id IN (
          SELECT r.value::bigint FROM jsonb_array_elements_text(coalesce(m -> 'repository_ids', '[]')) r(value)
          UNION ALL
          SELECT trp.repository_id FROM team_repos trp
          WHERE trp.team_id IN (
            SELECT t.value::bigint FROM jsonb_array_elements_text(coalesce(m -> 'team_ids', '[]')) t(value)))
        WHERE lower(btrim(m ->> 'service')) IN (lower(x.service_id), lower(x.service_name))
        ORDER BY ar.id)
    END AS repo_ids
  FROM incidents x JOIN integrations ig ON ig.id = x.integration_id AND ig.active AND ig.client_id = :cid
  WHERE x.client_id = :cid AND x.active
)"""


def jira_ctes() -> str:
    """`active_projects`, `type_map` (issue type -> work item type, with chain health) and `project_teams`."""
    return """active_projects AS (
  SELECT p.id, p.integration_id, p.key
  FROM jira_projects p JOIN integrations i ON i.id = p.integration_id AND i.active
  WHERE p.client_id = :cid AND p.active
),
type_map AS (
  SELECT DISTINCT ON (lower(m.issue_type_name)) lower(m.issue_type_name) AS type_key,
         lower(m.work_item_type) AS work_item_type, (m.active AND hl.active) AS ok
  FROM issue_type_mappings m JOIN hierarchy_levels hl ON hl.id = m.hierarchy_level_id
  WHERE m.client_id = :cid
  ORDER BY lower(m.issue_type_name), m.active DESC, m.id DESC
),
project_teams AS (
  SELECT tp.project_id, tp.team_id
  FROM team_projects tp JOIN teams t ON t.id = tp.team_id AND t.active
  WHERE tp.client_id = :cid AND tp.active
)"""


def fact_ctes(filters: Filters, *, whole_tenant: bool = False, inline: bool = False) -> str:
    """`win`, `changes` and `incidents` read from the pre-aggregated facts (same columns as the live CTEs).

    `whole_tenant`: no filter and every repository and integration active, so no row needs the scope check.
    `inline`: let PostgreSQL inline a CTE read once (the aggregates); drill-downs join them several ways and
    keep them materialized, or a nested loop may re-run one per row.
    """
    mat = "" if inline else " MATERIALIZED"
    if filters.repository_id is None and filters.team_id is None:
        in_scope = "true"
    else:
        in_scope = "mi.repo_ids && ARRAY(SELECT id FROM scope_repos)"
    md_scope = "" if whole_tenant else "\n    AND md.repository_id IN (SELECT id FROM scope_repos)"
    mc_scope = "" if whole_tenant else "\n    AND mc.repository_id IN (SELECT id FROM scope_repos)"
    return f"""tool_incident_ids AS (
  SELECT x.id FROM incidents x JOIN integrations ig ON ig.id = x.integration_id AND ig.active
  WHERE x.client_id = :cid AND x.active
),
win AS{mat} (
  SELECT md.deployment_id AS id, md.repository_id, md.environment, md.sha, md.finished_at, md.changes_computed
  FROM metric_deployments md
  WHERE md.client_id = :cid AND md.finished_at >= :start AND md.finished_at < :end{md_scope}
),
changes AS{mat} (
  SELECT mc.pull_request_id, mc.deployment_id, mc.deployed_at, mc.started_at, mc.lead_time_hours
  FROM metric_changes mc
  WHERE mc.client_id = :cid AND mc.deployed_at >= :start AND mc.deployed_at < :end{mc_scope}
),
incidents AS{mat} (
  SELECT mi.source, mi.incident_id AS id, mi.key, mi.title, mi.opened_at, mi.resolved_at, mi.repo_ids,
         {in_scope} AS in_scope, mi.deployment_id, mi.deployment_finished_at
  FROM metric_incidents mi
  WHERE mi.client_id = :cid AND mi.opened_at >= :inc_from
    AND (mi.source = 'jira' OR mi.repo_ids[1] IN (SELECT id FROM all_repos) OR mi.source IN ({TOOL_SOURCES}))
    AND (mi.source NOT IN ({TOOL_SOURCES}) OR mi.incident_id IN (SELECT id FROM tool_incident_ids))
)"""


def base_ctes(
    filters: Filters,
    *,
    changes: bool = True,
    incidents: bool = True,
    live: bool = False,
    whole_tenant: bool = False,
    inline: bool = False,
) -> str:
    """The CTE chain DORA needs, as one `WITH` clause: from the facts, or `live` from the source rows.

    The facts hold production deployments under the tenant's own rules, so an `environment` filter (which
    replaces the rule) always reads live.
    """
    if not live and not filters.environment:
        return "WITH " + ",\n".join([repo_ctes(filters), fact_ctes(filters, whole_tenant=whole_tenant, inline=inline)])
    parts = [repo_ctes(filters), rule_ctes(), production_ctes(filters)]
    if changes:
        parts.append(change_ctes(filters))
    if incidents:
        parts.append(jira_ctes())
        parts.append(incident_ctes(filters))
    return "WITH " + ",\n".join(parts)


def hours(later: str, earlier: str) -> str:
    """SQL for the hours between two timestamps (NULL when either is)."""
    return f"(extract(epoch FROM ({later}) - ({earlier})) / 3600.0)::float8"


def micros(later: str, earlier: str) -> str:
    """SQL for the whole microseconds between two timestamps (NULL when either is): exact, as they are stored."""
    return f"(extract(epoch FROM ({later}) - ({earlier})) * 1000000)::bigint"


MICROS_PER_HOUR = 3_600_000_000


def bucket(column: str, granularity: str | None) -> str:
    """The trend bucket (local week or month start) of timestamp `column`; the period's start when not a trend."""
    if granularity is None:
        return "CAST(:from_date AS date)"
    return f"date_trunc('{granularity}', ({column}) AT TIME ZONE :tz)::date"
