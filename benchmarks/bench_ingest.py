"""Ingestion figures: a full GitHub and Jira sync against the simulator, then an unchanged re-sync.

Everything is real: a PostgreSQL (embedded unless DATABASE_URL names a server), the simulator as its own
process on loopback, and the connectors committing through the same transactions a worker uses. Usage:

    .venv/bin/python benchmarks/bench_ingest.py            # 1,000 pull requests, 2,000 work items
    .venv/bin/python benchmarks/bench_ingest.py --full     # 10,000 pull requests, 20,000 work items

Targets: ≤ 3.2 requests per pull request on a full sync; an unchanged re-sync spends ≤ 5% of the full sync's
rate-limit budget; memory flat in the number of records (pages are streamed, never a whole source).
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
            "--rate-limit", "1000000"]  # fmt: skip
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


def integration(engine: Any, client_id: int, kind: str, base: str, details: bool = False) -> IntegrationConfig:
    settings: dict[str, Any] = {"organization": "acme", "pull_request_details": details} if kind == "github" else {}
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
    rows = sum(v for k, v in counts.items() if k not in ("skipped", "fetched", "requests", "not_modified",
                                                          "retries", "rate_limit_waits"))  # fmt: skip
    return {"wall": wall, "rows": rows, "sim": sim, "memory_mb": memory.growth_mb, "counts": counts}


def requests_of(sim: dict[str, Any], api: str) -> int:
    return int(sim["by_api"].get(api, 0))


def charged(sim: dict[str, Any]) -> int:
    return int(sum(sim["charged"].values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="10,000 pull requests and 20,000 work items")
    parser.add_argument("--prs", type=int, help="pull requests in all (4 repositories)")
    parser.add_argument("--work-items", type=int, help="work items in all (3 projects)")
    parser.add_argument(
        "--pull-request-details", action="store_true", help="also fetch each PR's size (one request per PR more)"
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
        client_id = make_client(engine)
        stats(base, reset=True)
        github = integration(engine, client_id, "github", base, args.pull_request_details)
        jira = integration(engine, client_id, "jira", base)
        results = {}
        for name, config in (("github", github), ("jira", jira)):
            full = run(engine, config, base)
            again = run(engine, config, base)
            results[name] = (full, again)
        with engine.connect() as conn:
            n_prs = conn.execute(text("SELECT count(*) FROM pull_requests")).scalar_one()
            n_items = conn.execute(text("SELECT count(*) FROM work_items")).scalar_one()
    finally:
        sim.terminate()
        sim.wait(timeout=10)
        engine.dispose()
        server.drop_database(url)
    print(f"simulator: {json.dumps(dataset.get('dataset', {}))[:200]}")
    gh_full, gh_again = results["github"]
    jira_full, jira_again = results["jira"]
    pr_requests = sum(
        sum(v for k, v in counts.items() if k != "0")
        for route, counts in gh_full["sim"]["by_route"].items()
        if route.startswith("GET /repos/{owner}/{repo}/pulls")
    )
    print()
    print(f"{'':34}{'GitHub':>14}{'Jira':>14}")
    print(f"{'records ingested':34}{n_prs:>14,} PRs{n_items:>10,} items")
    print(f"{'full sync wall time':34}{gh_full['wall']:>13.1f}s{jira_full['wall']:>13.1f}s")
    print(f"{'rows written':34}{gh_full['rows']:>14,}{jira_full['rows']:>14,}")
    gh_rate, jira_rate = gh_full["rows"] / gh_full["wall"], jira_full["rows"] / jira_full["wall"]
    print(f"{'rows per second':34}{gh_rate:>14,.0f}{jira_rate:>14,.0f}")
    gh_req, jira_req = requests_of(gh_full["sim"], "github"), requests_of(jira_full["sim"], "jira")
    print(f"{'API requests (full)':34}{gh_req:>14,}{jira_req:>14,}")
    print(f"{'requests per PR / per item':34}{gh_req / max(1, n_prs):>14.2f}{jira_req / max(1, n_items):>14.3f}")
    print(f"{'  pull-request routes per PR':34}{pr_requests / max(1, n_prs):>14.2f}")
    print(f"{'peak memory growth (MB)':34}{gh_full['memory_mb']:>14.1f}{jira_full['memory_mb']:>14.1f}")
    print(f"{'unchanged re-sync requests':34}{requests_of(gh_again['sim'], 'github'):>14,}"
          f"{requests_of(jira_again['sim'], 'jira'):>14,}")  # fmt: skip
    print(f"{'  of which 304 Not Modified':34}{gh_again['sim']['not_modified']:>14,}{'-':>14}")
    gh_share = charged(gh_again["sim"]) / max(1, charged(gh_full["sim"]))
    jira_share = charged(jira_again["sim"]) / max(1, charged(jira_full["sim"]))
    print(f"{'  rate-limit budget vs full sync':34}{gh_share:>13.1%}{jira_share:>14.1%}")
    print(f"{'unchanged re-sync wall time':34}{gh_again['wall']:>13.1f}s{jira_again['wall']:>13.1f}s")
    print()
    print("targets: <= 3.2 requests per PR (full); re-sync <= 5% of the budget; memory flat in the record count")


if __name__ == "__main__":
    os.environ.setdefault("PULSE_LOG_FORMAT", "json")
    main()
