"""The pre-aggregated metric facts: rebuilt after every sync and every configuration change.

`refresh_tenant(db_session=, client_id=)` is what a sync job calls once its data is
committed, best in the transaction that marks the run FINISHED (or after it): a run that ended after the
last rebuild makes the facts pending, and a read queues their rebuild (`pulse.analytics.freshness.service`).
It rebuilds the tenant's facts from the source rows under the current rules, mappings and teams, so the
facts always equal what the live SQL computes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.flow import facts as flow_facts
from pulse.analytics.period import Filters, Period
from pulse.analytics.pull_requests import facts as pr_facts
from pulse.analytics.sql import base_ctes, params

# Any constant works: it only has to be the same for every process rebuilding facts.
FACTS_LOCK = 0x504D_4643  # "PMFC"
EVER = Period(
    from_date=datetime(1900, 1, 1, tzinfo=UTC).date(),
    to_date=datetime(9999, 12, 30, tzinfo=UTC).date(),
    tz="UTC",
    start=datetime(1900, 1, 1, tzinfo=UTC),
    end=datetime(9999, 12, 31, tzinfo=UTC),
)

# Facts are written in time order so that a period's rows sit together on disk (range scans stay cheap).
_BUILD = """,
ins_d AS (
  INSERT INTO metric_deployments (client_id, deployment_id, repository_id, environment, sha, finished_at,
                                  changes_computed)
  SELECT :cid, w.id, w.repository_id, w.environment, w.sha, w.finished_at, w.changes_computed FROM win w
  ORDER BY w.finished_at
  RETURNING 1
),
ins_c AS (
  INSERT INTO metric_changes (client_id, pull_request_id, deployment_id, repository_id, deployed_at, started_at,
                              lead_time_hours)
  SELECT :cid, c.pull_request_id, c.deployment_id, w.repository_id, c.deployed_at, c.started_at, c.lead_time_hours
  FROM changes c JOIN win w ON w.id = c.deployment_id
  ORDER BY c.deployed_at
  RETURNING 1
),
ins_i AS (
  INSERT INTO metric_incidents (client_id, source, incident_id, key, title, opened_at, resolved_at, repo_ids,
                                deployment_id, deployment_finished_at)
  SELECT :cid, i.source, i.id, i.key, i.title, i.opened_at, i.resolved_at, i.repo_ids, i.deployment_id,
         i.deployment_finished_at
  FROM incidents i
  ORDER BY i.opened_at
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins_d) AS deployments, (SELECT count(*) FROM ins_c) AS changes,
       (SELECT count(*) FROM ins_i) AS incidents"""


def refresh_tenant(*, db_session: Session, client_id: int) -> dict[str, int]:
    """Rebuild the tenant's facts in the caller's transaction; returns the row counts."""
    db_session.flush()
    db_session.execute(text("SELECT pg_advisory_xact_lock(:k, CAST(:c AS integer))"), {"k": FACTS_LOCK, "c": client_id})
    for table in ("metric_changes", "metric_incidents", "metric_deployments"):
        db_session.execute(text(f"DELETE FROM {table} WHERE client_id = :cid"), {"cid": client_id})
    filters = Filters(client_id=client_id)
    sql = base_ctes(filters, live=True) + _BUILD
    bound: dict[str, Any] = params(EVER, filters, inc_from=EVER.start)
    counts = db_session.execute(text(sql), bound).mappings().one()
    # The PR facts read the deployment of each PR from metric_changes, just rebuilt above.
    pull_requests = pr_facts.rebuild(db_session=db_session, client_id=client_id)
    work_items = flow_facts.rebuild(db_session=db_session, client_id=client_id)["work_items"]
    # Fresh statistics, or the planner takes the rebuilt tables for empty and picks nested loops over them.
    db_session.execute(text("ANALYZE metric_deployments, metric_changes, metric_incidents"))
    # The rebuild covers every run finished so far, including one finishing in this very transaction, whose
    # finished_at was stamped by the worker's clock: never record a time before it, or the next read would
    # rebuild again for nothing.
    db_session.execute(
        text(
            "WITH covered AS (SELECT GREATEST(clock_timestamp(),"
            " (SELECT max(finished_at) FROM job_runs WHERE client_id = :cid)) AS at)"
            " INSERT INTO metric_refresh_state (client_id, refreshed_at) SELECT :cid, at FROM covered"
            " ON CONFLICT (client_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, last_updated_at = now()"
        ),
        {"cid": client_id},
    )
    return {**{k: int(v) for k, v in counts.items()}, "pull_requests": pull_requests, "work_items": work_items}
