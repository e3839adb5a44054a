"""The pre-aggregated metric facts: a full rebuild, and what a refresh needs to stay cheap.

`refresh_tenant(db_session=, client_id=)` rebuilds the tenant's facts from the source rows under the current
rules, mappings and teams, so the facts always equal what the live SQL computes; configuration changes and
`pulse metrics refresh --full` use it. A sync job calls `pulse.analytics.incremental.refresh_pending`
instead, in the transaction that marks the run FINISHED: it recomputes only what the sync's writes touched.
A run that ended after the last refresh makes the facts pending, and a read queues their rebuild
(`pulse.analytics.freshness.service`).
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

FACT_TABLES = ("metric_changes", "metric_incidents", "metric_deployments")
# A full rebuild analyzes a fact table only when it moved the table's row count by this share of the rows
# the statistics know of (and at least ANALYZE_MIN_ROWS): a tenant's first build, a tenant's data removed.
ANALYZE_SHARE = 0.1
ANALYZE_MIN_ROWS = 1000

# Facts are written in time order so that a period's rows sit together on disk (range scans stay cheap).
# `{deployments}` is where the deployment facts come from: every `win` row, or (incremental) some of them.
INSERTS = """,
ins_d AS (
  INSERT INTO metric_deployments (client_id, deployment_id, repository_id, environment, sha, finished_at,
                                  changes_computed)
  SELECT :cid, w.id, w.repository_id, w.environment, w.sha, w.finished_at, w.changes_computed FROM {deployments}
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
    lock_facts(db_session=db_session, client_id=client_id)
    # Everything written so far is covered by the rebuild below: what was pending is done.
    db_session.execute(text("DELETE FROM metric_dirty WHERE client_id = :cid"), {"cid": client_id})
    removed = {
        table: db_session.execute(text(f"DELETE FROM {table} WHERE client_id = :cid"), {"cid": client_id}).rowcount  # type: ignore[attr-defined]
        for table in FACT_TABLES
    }
    filters = Filters(client_id=client_id)
    sql = base_ctes(filters, live=True) + INSERTS.format(deployments="win w")
    bound: dict[str, Any] = params(EVER, filters, inc_from=EVER.start)
    counts = {k: int(v) for k, v in db_session.execute(text(sql), bound).mappings().one().items()}
    written = {"metric_deployments": counts["deployments"], "metric_changes": counts["changes"],
               "metric_incidents": counts["incidents"]}  # fmt: skip
    # The PR facts read the deployment of each PR from metric_changes, just rebuilt above.
    counts["pull_requests"] = pr_facts.rebuild(db_session=db_session, client_id=client_id)
    counts["work_items"] = flow_facts.rebuild(db_session=db_session, client_id=client_id)["work_items"]
    analyze_if_moved(db_session=db_session, moved={t: abs(written[t] - removed[t]) for t in FACT_TABLES})
    mark_refreshed(db_session=db_session, client_id=client_id)
    return counts


def lock_facts(*, db_session: Session, client_id: int) -> None:
    """Serialize the tenant's refreshes (until the transaction ends); other tenants' refreshes run on."""
    db_session.execute(text("SELECT pg_advisory_xact_lock(:k, CAST(:c AS integer))"), {"k": FACTS_LOCK, "c": client_id})


def analyze_if_moved(*, db_session: Session, moved: dict[str, int]) -> list[str]:
    """ANALYZE the fact tables whose row count this refresh moved materially; returns their names.

    The tables hold every tenant's rows, so a routine refresh leaves statistics to autovacuum (migration 0009
    tunes it per table); only a change the statistics would badly miss, like a large tenant's first build
    (the planner would take the table for empty and pick nested loops), is analyzed at once.
    """
    known: dict[str, float] = dict(
        db_session.execute(
            text("SELECT relname, greatest(reltuples, 0) FROM pg_class WHERE relname = ANY(:t) AND relkind = 'r'"),
            {"t": list(moved)},
        ).all()
    )
    tables = [t for t, n in moved.items() if n >= ANALYZE_MIN_ROWS and n > ANALYZE_SHARE * float(known.get(t, 0))]
    if tables:
        db_session.execute(text(f"ANALYZE {', '.join(tables)}"))
    return tables


def mark_refreshed(*, db_session: Session, client_id: int) -> None:
    """Record that the tenant's facts cover every run finished so far."""
    # Including a run finishing in this very transaction, whose finished_at was stamped by the worker's clock:
    # never record a time before it, or the next read would rebuild again for nothing.
    db_session.execute(
        text(
            "WITH covered AS (SELECT GREATEST(clock_timestamp(),"
            " (SELECT max(finished_at) FROM job_runs WHERE client_id = :cid)) AS at)"
            " INSERT INTO metric_refresh_state (client_id, refreshed_at) SELECT :cid, at FROM covered"
            " ON CONFLICT (client_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, last_updated_at = now()"
        ),
        {"cid": client_id},
    )
