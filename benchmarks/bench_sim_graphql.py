"""Simulator GraphQL figures: every pull request (with reviews, their comments, and commits) and every
deployment (with statuses) paged through `POST /graphql`, 100 a page, against a simulator in its own process.

    .venv/bin/python benchmarks/bench_sim_graphql.py            # 1,000 pull requests
    .venv/bin/python benchmarks/bench_sim_graphql.py --full     # 10,000 pull requests

Prints per-page wall time (mean, median, p95, max), the simulator process's CPU seconds per page (what the
endpoint itself costs, apart from the client and other load on the machine) and GitHub points per pull
request. Target: a page of 100 pull requests with nested reviews and commits executes well under a second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from pulse.sim.config import DEFAULT_GITHUB_TOKEN  # noqa: E402
from pulse.sim.server import spawn_simulator  # noqa: E402

PAGE = "pageInfo { hasNextPage endCursor }"
PULLS = f"""query($name: String!, $after: String) {{ rateLimit {{ cost }}
  repository(owner: "acme", name: $name) {{
    pullRequests(first: 100, after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{ {PAGE} nodes {{
      id databaseId number title body state isDraft createdAt updatedAt closedAt mergedAt author {{ login }}
      headRefName baseRefName mergeCommit {{ oid }} additions deletions changedFiles
      reviews(first: 20) {{ {PAGE} nodes {{ id databaseId state author {{ login }} submittedAt
        comments(first: 20) {{ {PAGE} nodes {{ databaseId author {{ login }} createdAt }} }} }} }}
      commits(first: 20) {{ {PAGE} nodes {{ commit {{ oid authoredDate committedDate message
        author {{ name user {{ login }} }} }} }} }} }} }} }} }}"""
DEPLOYMENTS = f"""query($name: String!, $after: String) {{ rateLimit {{ cost }}
  repository(owner: "acme", name: $name) {{
    deployments(first: 100, after: $after, orderBy: {{field: CREATED_AT, direction: DESC}}) {{ {PAGE} nodes {{
      id databaseId environment commitOid ref {{ name }} createdAt updatedAt
      statuses(first: 20) {{ {PAGE} nodes {{ state createdAt }} }} }} }} }} }}"""


def page_all(client: httpx.Client, query: str, name: str, field: str, walls: list[float]) -> int:
    """Every page of one repository's connection; returns the number of nodes."""
    after, count = None, 0
    while True:
        start = time.perf_counter()
        response = client.post("/graphql", json={"query": query, "variables": {"name": name, "after": after}})
        walls.append(time.perf_counter() - start)
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in body:
            raise SystemExit(f"query failed: {response.status_code} {body.get('errors')}")
        conn = body["data"]["repository"][field]
        count += len(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            return count
        after = conn["pageInfo"]["endCursor"]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="10,000 pull requests instead of 1,000")
    args = parser.parse_args()
    per_repo = 2500 if args.full else 250
    sim_args = ["--prs-per-repo", str(per_repo), "--anchor", "2026-01-01", "--graphql-rate-limit", "1000000"]
    with spawn_simulator(sim_args) as sim:
        server = psutil.Process(sim.process.pid)
        headers = {"Authorization": f"Bearer {DEFAULT_GITHUB_TOKEN}"}
        with httpx.Client(base_url=sim.base_url, headers=headers, timeout=120) as client:
            client.post("/graphql", json={"query": "{ viewer { login } }"})  # loads GitHub's schema once
            repos = [r["name"] for r in client.get("/orgs/acme/repos", params={"per_page": 100}).json()]
            figures = {}
            for label, query, field in (
                ("pull requests", PULLS, "pullRequests"),
                ("deployments", DEPLOYMENTS, "deployments"),
            ):
                httpx.post(f"{sim.base_url}/_sim/reset-stats")
                walls: list[float] = []
                cpu_before = sum(server.cpu_times()[:2])
                nodes = sum(page_all(client, query, name, field, walls) for name in repos)
                cpu = sum(server.cpu_times()[:2]) - cpu_before
                points = httpx.get(f"{sim.base_url}/_sim/stats").json()["graphql"]["points"]
                figures[label] = (nodes, walls, cpu, points)
    print(f"simulator GraphQL, {per_repo * len(repos):,} pull requests ({len(repos)} repositories)")
    columns = ("nodes", "pages", "mean s", "median", "p95", "max", "cpu s/page", "points/node")
    print(f"{'connection':<15}" + "".join(f"{c:>12}" for c in columns))
    for label, (nodes, walls, cpu, points) in figures.items():
        ordered = sorted(walls)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"{label:<15}{nodes:>12,}{len(walls):>12}{statistics.mean(walls):>12.3f}{statistics.median(walls):>12.3f}"
            f"{p95:>12.3f}{max(walls):>12.3f}{cpu / len(walls):>12.3f}{points / max(1, nodes):>12.3f}"
        )


if __name__ == "__main__":
    main()
