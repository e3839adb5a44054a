"""Ingestion figures: full GitHub (over GraphQL and over REST, side by side) and Jira syncs, then unchanged re-syncs.

Everything is real: a PostgreSQL (embedded unless DATABASE_URL names a server), the simulator as its own
process on loopback, and the connectors committing through the same transactions a worker uses. The two
GitHub paths sync the same organisation into two tenants. Usage:

    .venv/bin/python benchmarks/bench_ingest.py            # 1,000 pull requests, 2,000 work items
    .venv/bin/python benchmarks/bench_ingest.py --full     # 10,000 pull requests, 20,000 work items

Targets: REST ≤ 3.2 requests per pull request on a full sync and an unchanged re-sync ≤ 5% of its budget;
GraphQL ≤ 0.25 API requests and ≤ 0.5 points per pull request on a full sync (everything counted: PRs,
deployments, statuses, releases, issues, workflow runs, compares), an unchanged re-sync ≤ 1% of its budget,
wall time no worse than REST; memory flat in the number of records (pages are streamed, never a whole source).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.connectors.context import DirectContext  # noqa: E402
from tests.connectors.snapshot import TABLES  # noqa: E402
from tests.factories import make_client  # noqa: E402
from tests.pg import TestServer  # noqa: E402
from tests.servers import free_port  # noqa: E402

from pulse.core.db.engine import make_engine  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402
from pulse.etl.connectors.base.interface import IntegrationConfig  # noqa: E402
from pulse.etl.connectors.github.connector import GitHubConnector  # noqa: E402
from pulse.etl.connectors.jira.connector import JiraConnector  # noqa: E402
from pulse.sim.config import DEFAULT_GITHUB_TOKEN, DEFAULT_JIRA_EMAIL, DEFAULT_JIRA_TOKEN  # noqa: E402

PR_ROUTES = ("/pulls", "/pulls/{number}", "/reviews", "/commits", "/comments")


class PeakMemory:
    """Samples this process's RSS every 50 ms; `peak_mb` above the baseline taken at start."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.base = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1e6


def start_simulator(prs_per_repo: int, items_per_project: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The simulator as its own process, so its CPU does not count against the connector."""
    port = free_port()
    args = [sys.executable, "-m", "pulse.sim", "--port", str(port), "--anchor", "2026-06-01", "--repos", "4",
            "--teams", "3", "--prs-per-repo", str(prs_per_repo), "--work-items-per-project", str(items_per_project),
            "--rate-limit", "1000000", "--graphql-rate-limit", "1000000"]  # fmt: skip
    process = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/_sim/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.2)
    raise TimeoutError("simulator did not start")


def stats(base: str, reset: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(base + "/_sim/stats", timeout=30).json()
    if reset:
        httpx.post(base + "/_sim/reset-stats", timeout=30)
    return body


def integration(
    engine: Any, client_id: int, kind: str, base: str, details: bool = False, api: str = "graphql"
) -> IntegrationConfig:
    settings: dict[str, Any] = (
        {"organization": "acme", "pull_request_details": details, "api": api} if kind == "github" else {}
    )
    with engine.begin() as conn:
        ident = conn.execute(
            text("INSERT INTO integrations (client_id, type, name, base_url, settings) "
                 "VALUES (:c, :t, :t, :b, CAST(:s AS jsonb)) RETURNING id"),
            {"c": client_id, "t": kind, "b": base, "s": json.dumps(settings)},
        ).scalar_one()  # fmt: skip
    creds = (
        {"token": DEFAULT_GITHUB_TOKEN}
        if kind == "github"
        else {"email": DEFAULT_JIRA_EMAIL, "api_token": DEFAULT_JIRA_TOKEN}
    )
    return IntegrationConfig(ident, client_id, kind, kind, base, creds, settings)


def run(engine: Any, config: IntegrationConfig, base: str) -> dict[str, Any]:
    """One sync with its wall time, rows, requests and memory."""
    connector = GitHubConnector() if config.type == "github" else JiraConnector()
    ctx = DirectContext(engine, config)
    started = time.perf_counter()
    with PeakMemory() as memory:
        connector.sync(ctx)
    wall = time.perf_counter() - started
    counts = ctx.progress_reports[-1]["counts"]
    sim = stats(base, reset=True)
    # Rows stored for the integration (both GitHub paths store the same rows; their progress counters differ).
    with engine.connect() as conn:
        count = "SELECT count(*) FROM {} WHERE integration_id = :i"
        rows = sum(conn.execute(text(count.format(t)), {"i": config.id}).scalar_one() for t in TABLES)
    return {"wall": wall, "rows": rows, "sim": sim, "memory_mb": memory.growth_mb, "counts": counts}


def requests_of(sim: dict[str, Any], *apis: str) -> int:
    return int(sum(sim["by_api"].get(api, 0) for api in apis))


def points(sim: dict[str, Any]) -> int:
    return int(sim.get("graphql", {}).get("points", 0))


def budget(sim: dict[str, Any]) -> int:
    """What a run cost GitHub's rate limits: charged REST requests plus GraphQL points."""
    return int(sum(sim["charged"].values())) + points(sim)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="10,000 pull requests and 20,000 work items")
    parser.add_argument("--prs", type=int, help="pull requests in all (4 repositories)")
    parser.add_argument("--work-items", type=int, help="work items in all (3 projects)")
    parser.add_argument(
        "--pull-request-details", action="store_true", help="REST: also fetch each PR's size (one request per PR more)"
    )
    args = parser.parse_args()
    prs = args.prs or (10_000 if args.full else 1_000)
    items = args.work_items or (20_000 if args.full else 2_000)
    scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    print(f"bench_ingest: {prs} pull requests, {items} work items (scratch {scratch})")
    server = TestServer.start(scratch / "pg")
    url = server.create_database("bench_ingest")
    MigrationRunner(url).apply()
    engine = make_engine(url)
    sim, base = start_simulator(prs // 4, items // 3, scratch / "sim.log")
    try:
        dataset = httpx.get(base + "/_sim/config", timeout=30).json()
        stats(base, reset=True)
        configs = {
            "graphql": integration(engine, make_client(engine), "github", base, api="graphql"),
            "rest": integration(engine, make_client(engine), "github", base, args.pull_request_details, api="rest"),
            "jira": integration(engine, make_client(engine), "jira", base),
        }
        results = {}
        for name, config in configs.items():
            full = run(engine, config, base)
            again = run(engine, config, base)
            results[name] = (full, again)
        with engine.connect() as conn:
            per_tenant = dict(
                conn.execute(text("SELECT integration_id, count(*) FROM pull_requests GROUP BY integration_id")).all()
            )
            n_prs = per_tenant.get(configs["graphql"].id, 0)
            assert n_prs == per_tenant.get(configs["rest"].id), "both GitHub paths ingest every pull request"
            n_items = conn.execute(text("SELECT count(*) FROM work_items")).scalar_one()
    finally:
        sim.terminate()
        sim.wait(timeout=10)
        engine.dispose()
        server.drop_database(url)
    print(f"simulator: {json.dumps(dataset.get('dataset', {}))[:200]}")
    report(results, n_prs, n_items)


def report(results: dict[str, tuple[dict[str, Any], dict[str, Any]]], n_prs: int, n_items: int) -> None:
    """The side-by-side table."""
    (gq_full, gq_again), (rest_full, rest_again), (jira_full, jira_again) = (
        results["graphql"], results["rest"], results["jira"]
    )  # fmt: skip
    pr_requests = sum(
        sum(v for k, v in counts.items() if k != "0")
        for route, counts in rest_full["sim"]["by_route"].items()
        if route.startswith("GET /repos/{owner}/{repo}/pulls")
    )

    def line(label: str, graphql: str, rest: str, jira: str = "-") -> None:
        print(f"{label:36}{graphql:>16}{rest:>16}{jira:>14}")

    print()
    line("", "GitHub GraphQL", "GitHub REST", "Jira")
    line("records ingested", f"{n_prs:,} PRs", f"{n_prs:,} PRs", f"{n_items:,} items")
    walls = [r["wall"] for r in (gq_full, rest_full, jira_full)]
    line("full sync wall time", *(f"{w:.1f}s" for w in walls))
    line("rows written", *(f"{r['rows']:,}" for r in (gq_full, rest_full, jira_full)))
    line("rows per second", *(f"{r['rows'] / r['wall']:,.0f}" for r in (gq_full, rest_full, jira_full)))
    gq_req = requests_of(gq_full["sim"], "github", "graphql")
    rest_req, jira_req = requests_of(rest_full["sim"], "github"), requests_of(jira_full["sim"], "jira")
    line("API requests (full)", f"{gq_req:,}", f"{rest_req:,}", f"{jira_req:,}")
    line("  of which GraphQL queries", f"{requests_of(gq_full['sim'], 'graphql'):,}", "0")
    line("requests per PR / per item", f"{gq_req / max(1, n_prs):.3f}", f"{rest_req / max(1, n_prs):.2f}",
         f"{jira_req / max(1, n_items):.3f}")  # fmt: skip
    line("  pull-request routes per PR", "-", f"{pr_requests / max(1, n_prs):.2f}")
    line("GraphQL points (full)", f"{points(gq_full['sim']):,}", "0")
    line("points per PR", f"{points(gq_full['sim']) / max(1, n_prs):.3f}", "0")
    line("peak memory growth (MB)", *(f"{r['memory_mb']:.1f}" for r in (gq_full, rest_full, jira_full)))
    again_req = [requests_of(gq_again["sim"], "github", "graphql"), requests_of(rest_again["sim"], "github"),
                 requests_of(jira_again["sim"], "jira")]  # fmt: skip
    line("unchanged re-sync requests", *(f"{n:,}" for n in again_req))
    line("  of which 304 Not Modified", f"{gq_again['sim']['not_modified']:,}",
         f"{rest_again['sim']['not_modified']:,}")  # fmt: skip
    line("  GraphQL points", f"{points(gq_again['sim']):,}", "0")
    shares = [budget(a["sim"]) / max(1, budget(f["sim"])) for f, a in results.values()]
    line("  rate-limit budget vs full sync", *(f"{share:.2%}" for share in shares))
    line("unchanged re-sync wall time", *(f"{r['wall']:.1f}s" for r in (gq_again, rest_again, jira_again)))
    print()
    print("budget = charged REST requests + GraphQL points (304s are free)")
    print("targets: GraphQL <= 0.25 requests and <= 0.5 points per PR, re-sync <= 1% of the budget, wall time <= REST;")
    print("         REST <= 3.2 requests per PR, re-sync <= 5%; memory flat in the record count")


if __name__ == "__main__":
    os.environ.setdefault("PULSE_LOG_FORMAT", "json")
    main()
