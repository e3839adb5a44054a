"""Incremental refresh figure: a sync adding 1 % new rows to the large tenant, then the refresh it triggers.

On the tenant `bench_metrics.py` builds (at `--full` size 500,000 PRs, 100,000 deployments, 20,000 incidents),
a sync-shaped write adds 1 % new rows (pull requests, production deployments with the PRs they shipped, GitHub
and Jira incidents) with the connectors' own batched upsert, in the week after the existing data; then
`refresh_pending` runs, as the sync job runs it in the transaction that marks the run FINISHED. Printed: the
write, the incremental refresh against the 2 s target, a full rebuild for comparison (rolled back), and the
DORA summary p95 before the sync and after the refresh (no ANALYZE in between: the plans must stay good on
the statistics autovacuum keeps). `measure_incremental_refresh(url, client_id)` is what `bench_metrics.py
--full` calls on its already-built database. Usage:

    .venv/bin/python benchmarks/bench_refresh.py [--full] [--scale 0.3]
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_metrics import SPAN_SECONDS, START, load, measure  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from tests.pg import TestServer  # noqa: E402

from pulse.analytics.dora import service as dora  # noqa: E402
from pulse.analytics.incremental import refresh_pending  # noqa: E402
from pulse.analytics.period import Filters, parse_period  # noqa: E402
from pulse.analytics.refresh import refresh_tenant  # noqa: E402
from pulse.core.db.embedded import stop_embedded  # noqa: E402
from pulse.core.db.engine import make_engine, session_factory  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402
from pulse.core.db.models.business import (  # noqa: E402
    Deployment,
    DeploymentPullRequest,
    GithubIssue,
    PullRequest,
    WorkItem,
)
from pulse.etl.load.upsert import upsert  # noqa: E402

TARGET_SECONDS = 2.0
SYNC_END = START + timedelta(seconds=SPAN_SECONDS)  # the new rows fall in the week after the existing data


def sync_rows(session: Session, client_id: int, share: float, seed: int = 11) -> dict[str, int]:
    """Write `share` of the tenant's size as new rows, the way a connector writes them (batched upserts)."""
    rng = random.Random(seed)
    ids = lambda sql: [r[0] for r in session.execute(text(sql), {"c": client_id}).all()]  # noqa: E731
    repos = ids("SELECT id FROM repositories WHERE client_id = :c ORDER BY id")
    projects = ids("SELECT id FROM jira_projects WHERE client_id = :c ORDER BY id")
    gh = ids("SELECT id FROM integrations WHERE client_id = :c AND type = 'github'")[0]
    jira = ids("SELECT id FROM integrations WHERE client_id = :c AND type = 'jira'")[0]
    sizes = {kind: session.execute(text(f"SELECT count(*) FROM {kind} WHERE client_id = :c"), {"c": client_id})
             .scalar_one() for kind in ("pull_requests", "deployments", "github_issues")}  # fmt: skip
    n_prs, n_deps = int(sizes["pull_requests"] * share), int(sizes["deployments"] * share)
    n_incidents = max(2, int((sizes["github_issues"] * 2) * share))

    def when() -> datetime:
        return SYNC_END + timedelta(seconds=rng.randrange(7 * 86400))

    base = {"client_id": client_id, "integration_id": gh}
    deployments = []
    for i in range(n_deps):
        fin = when()
        deployments.append({**base, "external_id": f"sync-d{i}", "repository_id": repos[i % len(repos)],
                            "environment": "production", "sha": f"sync-d{i}", "source": "deployment",
                            "status": "success", "started_at": fin - timedelta(minutes=5), "finished_at": fin,
                            "source_updated_at": fin, "changes_computed": True})  # fmt: skip
    dep_ids = upsert(session, Deployment, deployments)
    by_repo: dict[int, list[tuple[datetime, int]]] = {}
    for d in deployments:
        by_repo.setdefault(d["repository_id"], []).append((d["finished_at"], dep_ids[d["external_id"]]))
    for values in by_repo.values():
        values.sort()
    prs = []
    for i in range(n_prs):
        merged = when()
        opened = merged - timedelta(hours=rng.uniform(1, 72))
        prs.append({**base, "external_id": f"sync-pr{i}", "repository_id": repos[rng.randrange(len(repos))],
                    "number": 10_000_000 + i, "title": f"PR {i}", "state": "merged", "opened_at": opened,
                    "source_updated_at": merged, "merged_at": merged,
                    "first_commit_at": opened - timedelta(hours=2)})  # fmt: skip
    pr_ids = upsert(session, PullRequest, prs)
    links = []
    for pr in prs:
        deps = by_repo.get(pr["repository_id"], [])
        k = bisect.bisect_left(deps, (pr["merged_at"], 0))
        if k < len(deps):
            links.append({**base, "external_id": f"sync-dpr:{pr['external_id']}", "deployment_id": deps[k][1],
                          "pull_request_id": pr_ids[pr["external_id"]]})  # fmt: skip
    upsert(session, DeploymentPullRequest, links)
    issues = []
    for i in range(n_incidents // 2):
        opened = when()
        issues.append({**base, "external_id": f"sync-gi{i}", "repository_id": repos[rng.randrange(len(repos))],
                       "number": 10_000_000 + i, "title": f"Incident {i}", "state": "open",
                       "labels": ["incident"], "opened_at": opened, "source_updated_at": opened})  # fmt: skip
    upsert(session, GithubIssue, issues)
    items = []
    for i in range(n_incidents - n_incidents // 2):
        opened = when()
        project = rng.randrange(len(projects))
        items.append({"client_id": client_id, "integration_id": jira, "external_id": f"sync-wi{i}",
                      "project_id": projects[project], "key": f"P{project}-sync-{i}", "issue_type": "Incident",
                      "status": "Open", "status_category": "new", "opened_at": opened,
                      "source_updated_at": opened})  # fmt: skip
    upsert(session, WorkItem, items)
    return {"pull_requests": len(prs), "deployments": len(deployments), "incidents": len(issues) + len(items)}


def dora_p95(session: Session, client_id: int, runs: int) -> float:
    """p95 (ms) of the all-teams DORA summary over the year that ends with the sync's new rows."""
    period = parse_period(date(2025, 12, 8), date(2026, 12, 7), None)
    filters = Filters(client_id=client_id)
    _p50, p95 = measure(lambda: dora.summary(db_session=session, period=period, filters=filters), runs)
    session.rollback()
    return p95


def measure_incremental_refresh(url: str, client_id: int, *, share: float = 0.01, runs: int = 10) -> dict[str, Any]:
    """Add `share` new rows like a sync, refresh incrementally (committed), time a full rebuild (rolled back)."""
    engine = make_engine(url)
    session = session_factory(engine)()
    try:
        before_p95 = dora_p95(session, client_id, runs)
        t0 = time.perf_counter()
        added = sync_rows(session, client_id, share)
        session.commit()
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        counts = refresh_pending(db_session=session, client_id=client_id)
        session.commit()
        incremental_s = time.perf_counter() - t0
        after_p95 = dora_p95(session, client_id, runs)
        t0 = time.perf_counter()
        refresh_tenant(db_session=session, client_id=client_id)
        full_s = time.perf_counter() - t0
        session.rollback()
    finally:
        session.close()
        engine.dispose()
    return {"added": added, "write_s": write_s, "incremental_s": incremental_s, "refreshed": counts,
            "full_s": full_s, "dora_p95_before_ms": before_p95, "dora_p95_after_ms": after_p95}  # fmt: skip


def report(figures: dict[str, Any]) -> None:
    """Print the figures against the target."""
    verdict = "ok" if figures["incremental_s"] <= TARGET_SECONDS else "OVER"
    print(f"sync-shaped write of {figures['added']}: {figures['write_s']:.2f} s", flush=True)
    print(f"incremental refresh: {figures['incremental_s']:.2f} s (target <= {TARGET_SECONDS:.0f} s: {verdict});"
          f" wrote {figures['refreshed']}")  # fmt: skip
    print(f"full rebuild for comparison: {figures['full_s']:.2f} s")
    print(f"DORA summary p95 before the sync {figures['dora_p95_before_ms']:.0f} ms,"
          f" after the incremental refresh (no ANALYZE) {figures['dora_p95_after_ms']:.0f} ms", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the issue's full size (500k PRs, 100k deployments...)")
    parser.add_argument("--scale", type=float, default=None, help="explicit size factor (1.0 = --full)")
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else (1.0 if args.full else 0.1)
    scratch = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    server = TestServer.start(scratch)
    url = server.create_database("bench_refresh")
    try:
        MigrationRunner(url).apply()
        info = load(url, scale)
        print(f"loaded {info['sizes']} in {info['load_seconds']:.1f}s (scale {scale})", flush=True)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            t0 = time.perf_counter()
            refresh_tenant(db_session=session, client_id=info["client_id"])
            session.commit()
            print(f"first full build: {time.perf_counter() - t0:.1f} s", flush=True)
        engine.dispose()
        report(measure_incremental_refresh(url, info["client_id"]))
    finally:
        server.drop_database(url)
        if server.server_handle is not None:
            stop_embedded(scratch)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
