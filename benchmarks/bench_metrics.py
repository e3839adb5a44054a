"""Metrics figures: summary, trend and first drill-down page latency of DORA, PR analytics and flow metrics.

A synthetic tenant is bulk-loaded with COPY into a fresh database (embedded PostgreSQL unless DATABASE_URL
names a server): at `--full` size 500,000 pull requests (1.5 M PR commits), 100,000 deployments, 20,000
incidents and 1,000,000 Jira status transitions over two years; by default a tenth of that. Its facts are
rebuilt (timed), then every read runs for a one-year window, for all teams and for one team, `--runs` times;
p50/p95 are printed against the 300 ms target, with the EXPLAIN ANALYZE plan of any summary or trend over it.

Then `--tenants` more tenants of `--tenant-prs` pull requests each (the same mix, scaled; at `--full` 200 of
10,000) are loaded into the same database, and the reads are measured again: for the large tenant, and for
one small tenant measured before and after the others arrived. The ratios (with / without the other tenants'
rows) show whether other tenants slow a tenant's reads. Usage:

    .venv/bin/python benchmarks/bench_metrics.py [--full] [--scale 0.3] [--runs 20] [--tenants 200]
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.pg import TestServer  # noqa: E402

from pulse.analytics.config.defaults import ensure_defaults  # noqa: E402
from pulse.analytics.dora import service as dora  # noqa: E402
from pulse.analytics.flow import service as flow  # noqa: E402
from pulse.analytics.period import Filters, Period, bucket_starts, parse_period  # noqa: E402
from pulse.analytics.pull_requests import service as prs  # noqa: E402
from pulse.analytics.refresh import refresh_tenant  # noqa: E402
from pulse.analytics.scope import whole_tenant  # noqa: E402
from pulse.core.db.embedded import stop_embedded  # noqa: E402
from pulse.core.db.engine import make_engine, session_factory  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402

TARGET_MS = 300.0
START = datetime(2024, 12, 1, tzinfo=UTC)
SPAN_SECONDS = 730 * 86400
TEAMS = 10
REPOS_PER_TEAM = 10


def at(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(SPAN_SECONDS))


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def copy_rows(conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY rows into a table; returns how many."""
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load(
    url: str, scale: float, *, name: str = "Bench", seed: int = 7, commits: bool = True, analyze: bool = True
) -> dict[str, Any]:
    """Build one synthetic tenant; returns the ids the queries need.

    `commits`: also load 3 commits per PR (no metric reads them; the many-tenant load skips them to save time).
    """
    rng = random.Random(seed)
    n_prs = int(500_000 * scale)
    n_deployments = int(100_000 * scale)
    n_incidents = int(20_000 * scale)
    n_transitions = int(1_000_000 * scale)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=False) as conn:
        client_id = conn.execute("INSERT INTO clients (name) VALUES (%s) RETURNING id", (name,)).fetchone()[0]  # type: ignore[index]
        gh = conn.execute(
            "INSERT INTO integrations (client_id, type, name, base_url)"
            " VALUES (%s, 'github', 'GitHub', 'x') RETURNING id",
            (client_id,),
        ).fetchone()[0]  # type: ignore[index]
        jira = conn.execute(
            "INSERT INTO integrations (client_id, type, name, base_url) VALUES (%s, 'jira', 'Jira', 'x') RETURNING id",
            (client_id,),
        ).fetchone()[0]  # type: ignore[index]
        repos: list[int] = []
        teams: list[int] = []
        projects: list[int] = []
        for t in range(TEAMS):
            team = conn.execute(
                "INSERT INTO teams (client_id, name) VALUES (%s, %s) RETURNING id", (client_id, f"team-{t}")
            ).fetchone()[0]  # type: ignore[index]
            teams.append(team)
            project = conn.execute(
                "INSERT INTO jira_projects (client_id, integration_id, external_id, key, name)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (client_id, jira, f"p{t}", f"P{t}", f"Project {t}"),
            ).fetchone()[0]  # type: ignore[index]
            projects.append(project)
            conn.execute(
                "INSERT INTO team_projects (client_id, team_id, project_id) VALUES (%s, %s, %s)",
                (client_id, team, project),
            )
            for r in range(REPOS_PER_TEAM):
                repo = conn.execute(
                    "INSERT INTO repositories (client_id, integration_id, external_id, full_name, owner, name)"
                    " VALUES (%s, %s, %s, %s, 'bench', %s) RETURNING id",
                    (client_id, gh, f"r{t}-{r}", f"bench/repo-{t}-{r}", f"repo-{t}-{r}"),
                ).fetchone()[0]  # type: ignore[index]
                repos.append(repo)
                conn.execute(
                    "INSERT INTO team_repositories (client_id, team_id, repository_id) VALUES (%s, %s, %s)",
                    (client_id, team, repo),
                )
        conn.commit()

        # Deployments: 80 % successful production, 10 % failed production, 10 % staging.
        deployment_rows = []
        for i in range(n_deployments):
            repo = repos[i % len(repos)]
            finished = at(rng)
            roll = rng.random()
            env, status = (
                ("production", "success")
                if roll < 0.8
                else (("production", "failure") if roll < 0.9 else ("staging", "success"))
            )
            deployment_rows.append((repo, env, status, finished, f"d{i}"))
        copy_rows(
            conn,
            "deployments",
            [
                "client_id",
                "integration_id",
                "external_id",
                "repository_id",
                "environment",
                "sha",
                "source",
                "status",
                "started_at",
                "finished_at",
                "source_updated_at",
                "changes_computed",
            ],
            (
                (client_id, gh, ext, repo, env, ext, "deployment", status, iso(fin), iso(fin), iso(fin), True)
                for repo, env, status, fin, ext in deployment_rows
            ),
        )
        ids = dict(
            conn.execute("SELECT external_id, id FROM deployments WHERE client_id = %s", (client_id,)).fetchall()
        )
        prod_by_repo: dict[int, list[tuple[datetime, int]]] = {}
        for repo, env, status, fin, ext in deployment_rows:
            if env == "production" and status == "success":
                prod_by_repo.setdefault(repo, []).append((fin, ids[ext]))
        for values in prod_by_repo.values():
            values.sort()
        conn.commit()

        # Pull requests, each shipped by the first successful production deployment after its merge.
        pr_rows = []
        for i in range(n_prs):
            repo = repos[rng.randrange(len(repos))]
            first_commit = at(rng)
            opened = first_commit + timedelta(hours=rng.uniform(0.1, 48))
            review = opened + timedelta(hours=rng.uniform(0.1, 24)) if rng.random() < 0.9 else None
            merged = (review or opened) + timedelta(hours=rng.uniform(0.5, 72)) if rng.random() < 0.9 else None
            pr_rows.append((repo, i, first_commit, opened, review, merged))
        copy_rows(
            conn,
            "pull_requests",
            [
                "client_id",
                "integration_id",
                "external_id",
                "repository_id",
                "number",
                "title",
                "author_login",
                "state",
                "opened_at",
                "source_updated_at",
                "merged_at",
                "first_commit_at",
                "first_review_at",
                "additions",
                "deletions",
                "changed_files",
                "commits_count",
                "reviews_count",
                "comments_count",
                "review_cycles",
                "rework_commits",
            ],
            (
                (
                    client_id,
                    gh,
                    f"pr{i}",
                    repo,
                    i,
                    f"PR {i}",
                    f"dev{i % 97}",
                    "merged" if merged else "open",
                    iso(opened),
                    iso(merged or opened),
                    iso(merged),
                    iso(fc),
                    iso(review),
                    rng.randrange(500),
                    rng.randrange(200),
                    rng.randrange(1, 30),
                    3,
                    rng.randrange(5),
                    rng.randrange(10),
                    rng.randrange(3),
                    rng.randrange(3),
                )
                for repo, i, fc, opened, review, merged in pr_rows
            ),
        )
        pr_ids = dict(
            conn.execute("SELECT number, id FROM pull_requests WHERE client_id = %s", (client_id,)).fetchall()
        )

        def shipped() -> Iterator[tuple[Any, ...]]:
            for repo, i, _fc, _opened, _review, merged in pr_rows:
                if merged is None:
                    continue
                deps = prod_by_repo.get(repo, [])
                k = bisect.bisect_left(deps, (merged, 0))
                if k < len(deps):
                    yield (client_id, gh, f"dpr{i}", deps[k][1], pr_ids[i])

        copy_rows(
            conn,
            "deployment_pull_requests",
            ["client_id", "integration_id", "external_id", "deployment_id", "pull_request_id"],
            shipped(),
        )
        copy_rows(
            conn,
            "pull_request_commits",
            ["client_id", "integration_id", "external_id", "pull_request_id", "sha", "authored_at"],
            (
                (client_id, gh, f"c{i}-{k}", pr_ids[i], f"{i:x}{k}", iso(fc + timedelta(hours=k)))
                for _repo, i, fc, _o, _r, _m in pr_rows
                for k in range(3 if commits else 0)
            ),
        )
        conn.commit()

        # Incidents: half GitHub issues labelled `incident`, half Jira work items of type Incident.
        half = n_incidents // 2
        copy_rows(
            conn,
            "github_issues",
            [
                "client_id",
                "integration_id",
                "external_id",
                "repository_id",
                "number",
                "title",
                "state",
                "labels",
                "opened_at",
                "closed_at",
                "source_updated_at",
            ],
            (
                (
                    client_id,
                    gh,
                    f"gi{i}",
                    repos[rng.randrange(len(repos))],
                    i,
                    f"Incident {i}",
                    "closed",
                    ["incident"],
                    iso(o),
                    iso(o + timedelta(hours=rng.uniform(0.2, 72))),
                    iso(o + timedelta(hours=80)),
                )
                for i, o in ((i, at(rng)) for i in range(half))
            ),
        )
        n_items = max(n_transitions // 5, 1)

        def work_items() -> Iterator[tuple[Any, ...]]:
            for i in range(n_items + half):
                opened = at(rng)
                incident = i >= n_items
                resolved = opened + timedelta(hours=rng.uniform(1, 400))
                yield (
                    client_id,
                    jira,
                    f"wi{i}",
                    projects[i % len(projects)],
                    f"P{i % len(projects)}-{i}",
                    "Incident" if incident else "Story",
                    "Done",
                    "done",
                    iso(opened),
                    iso(resolved + timedelta(hours=1)),
                    iso(resolved),
                )

        copy_rows(
            conn,
            "work_items",
            [
                "client_id",
                "integration_id",
                "external_id",
                "project_id",
                "key",
                "issue_type",
                "status",
                "status_category",
                "opened_at",
                "source_updated_at",
                "resolved_at",
            ],
            work_items(),
        )
        item_rows = conn.execute(
            "SELECT id, opened_at, resolved_at FROM work_items WHERE client_id = %s AND issue_type = 'Story'",
            (client_id,),
        ).fetchall()
        path = ["To Do", "In Progress", "In Review", "In Progress", "In Review", "Done"]

        def transitions() -> Iterator[tuple[Any, ...]]:
            for wid, opened, resolved in item_rows:
                step = (resolved - opened) / 5
                for k in range(5):
                    yield (client_id, jira, f"t{wid}-{k}", wid, path[k], path[k + 1], iso(opened + step * (k + 1)))

        copy_rows(
            conn,
            "work_item_transitions",
            [
                "client_id",
                "integration_id",
                "external_id",
                "work_item_id",
                "from_status",
                "to_status",
                "transitioned_at",
            ],
            transitions(),
        )
        conn.commit()
        if analyze:
            conn.execute("ANALYZE")
            conn.commit()
    return {
        "client_id": client_id,
        "team_id": teams[0],
        "load_seconds": time.perf_counter() - started,
        "sizes": {"prs": n_prs, "deployments": n_deployments, "incidents": n_incidents, "transitions": n_transitions},
    }


def measure(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds (after one warm-up run)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def explain(session: Any, sql: str, bound: dict[str, Any]) -> str:
    rows = session.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql), bound).scalars().all()
    return "\n".join(rows)


Case = tuple[str, Filters, Callable[[Filters], Any]]


def read_cases(session: Any, period: Period, client_id: int, team_id: int) -> list[Case]:
    """Every summary, trend and first drill-down page (50 rows, default sort) of DORA, PR and flow metrics."""
    page = {"sort": None, "order": "desc", "limit": 50, "offset": 0}
    reads: list[tuple[str, Callable[[Filters], Any]]] = [
        ("dora summary", lambda f: dora.summary(db_session=session, period=period, filters=f)),
        ("dora trend (week)", lambda f: dora.trend(db_session=session, period=period, filters=f, granularity="week")),
        ("dora trend (month)", lambda f: dora.trend(db_session=session, period=period, filters=f, granularity="month")),
    ]
    for kind in ("deployments", "changes", "incidents"):
        reads.append(
            (
                f"dora {kind} page",
                lambda f, k=kind: dora.drill_page(db_session=session, kind=k, period=period, filters=f, **page),
            )
        )
    reads += [
        ("pull requests summary", lambda f: prs.summary(db_session=session, period=period, filters=f)),
        (
            "pull requests trend (week)",
            lambda f: prs.trend(db_session=session, period=period, filters=f, granularity="week"),
        ),
        ("pull requests items page", lambda f: prs.items_page(db_session=session, period=period, filters=f, **page)),
        ("flow summary", lambda f: flow.summary(db_session=session, period=period, filters=f)),
        ("flow trend (week)", lambda f: flow.trend(db_session=session, period=period, filters=f, granularity="week")),
        ("flow items page", lambda f: flow.items_page(db_session=session, period=period, filters=f, **page)),
    ]
    everyone = Filters(client_id=client_id)
    one_team = Filters(client_id=client_id, team_id=team_id)
    return [(name, filters, fn) for name, fn in reads for filters in (everyone, one_team)]


def run_reads(session: Any, cases: list[Case], runs: int, title: str) -> dict[tuple[str, str], tuple[float, float]]:
    """Time every case; print p50/p95 against the target; returns {(query, scope): (p50, p95)}."""
    print(f"\n== {title}")
    print(f"{'query':30} {'scope':10} {'p50 ms':>9} {'p95 ms':>9}  target {TARGET_MS:.0f} ms")
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for name, filters, fn in cases:
        p50, p95 = measure(lambda fn=fn, filters=filters: fn(filters), runs)
        session.rollback()
        scope = "one team" if filters.team_id else "all teams"
        out[(name, scope)] = (p50, p95)
        print(f"{name:30} {scope:10} {p50:9.1f} {p95:9.1f}  {'ok' if p95 <= TARGET_MS else 'OVER'}", flush=True)
    return out


def print_ratios(title: str, alone: dict[Any, tuple[float, float]], shared: dict[Any, tuple[float, float]]) -> None:
    """p95 with the other tenants' rows / p95 without, per read, and the worst."""
    print(f"\n== {title}: p95 with the other tenants / p95 alone")
    ratios = []
    for key, (_p50, p95) in alone.items():
        ratio = shared[key][1] / p95 if p95 else 0.0
        ratios.append(ratio)
        print(f"{key[0]:30} {key[1]:10} {p95:9.1f} -> {shared[key][1]:9.1f}  x{ratio:.2f}")
    print(f"median ratio x{statistics.median(ratios):.2f}, worst x{max(ratios):.2f}", flush=True)


def explain_over(session: Any, period: Period, results: dict[tuple[str, str], tuple[float, float]], team_id: int,
                 client_id: int) -> None:  # fmt: skip
    """The EXPLAIN ANALYZE plan of each DORA summary or trend over the target (the aggregates worth a look)."""
    for (name, scope), (_p50, p95) in results.items():
        if p95 <= TARGET_MS or not name.startswith("dora") or "page" in name:
            continue
        filters = Filters(client_id=client_id, team_id=team_id if scope == "one team" else None)
        granularity = "week" if "week" in name else ("month" if "month" in name else None)
        whole = whole_tenant(db_session=session, filters=filters)
        sql = dora._aggregate_sql(filters, granularity, False, whole)
        buckets = bucket_starts(period, granularity) if granularity else [period.from_date]
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        print(f"\n--- plan: {name} ({scope}) ---")
        print(explain(session, sql, dora._bound(period, filters, buckets)))
        session.rollback()


def refresh(session: Any, client_id: int) -> float:
    """Give the tenant the default flow configuration (steps, status mappings), then time a full facts rebuild.

    Without the status mappings no synthetic status would resolve to a done step and flow metrics would read
    an empty population.
    """
    ensure_defaults(db_session=session, client_id=client_id)
    session.commit()
    t0 = time.perf_counter()
    refresh_tenant(db_session=session, client_id=client_id)
    session.commit()
    return time.perf_counter() - t0


def settle(url: str) -> None:
    """VACUUM ANALYZE: the steady state autovacuum reaches after a bulk load (statistics, visibility map)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# ---- Figures measured by the sibling benchmarks' functions on this benchmark's database. ----


def incremental_refresh_figure(url: str, client_id: int) -> None:
    """The incremental refresh after a sync-shaped write adding 1 % new rows (target <= 2 s).

    It commits those rows to the large tenant, so the reads measured after it see 1 % more data.
    """
    # Imported here: bench_refresh builds its own tenant with this module's loaders when run alone.
    from benchmarks.bench_refresh import measure_incremental_refresh, report

    print(flush=True)
    report(measure_incremental_refresh(url, client_id))


def settings_write_figure(url: str, client_id: int, scratch: Path, runs: int) -> None:
    """A settings write's HTTP answer on the large tenant, idle and while its facts rebuild (target <= 200 ms)."""
    # Imported here: bench_settings builds its own tenant with this module's loaders when run alone.
    from benchmarks.bench_settings import measure_settings_write, print_figures

    print(flush=True)
    print_figures(measure_settings_write(url, client_id, scratch, runs=max(runs, 20)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the issue's full size (500k PRs, 100k deployments...)")
    parser.add_argument("--scale", type=float, default=None, help="explicit size factor (1.0 = --full)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tenants", type=int, default=None, help="other tenants (default 200 at --full, else 20)")
    parser.add_argument("--tenant-prs", type=int, default=None, help="PRs per other tenant (10,000 at --full)")
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else (1.0 if args.full else 0.1)
    tenants = args.tenants if args.tenants is not None else (200 if args.full else 20)
    tenant_scale = (args.tenant_prs if args.tenant_prs is not None else (10_000 if args.full else 1_000)) / 500_000
    wall = time.perf_counter()

    scratch = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    server = TestServer.start(scratch)
    url = server.create_database("bench_metrics")
    try:
        MigrationRunner(url).apply()
        info = load(url, scale)
        print(f"loaded {info['sizes']} in {info['load_seconds']:.1f}s (scale {scale})", flush=True)
        engine = make_engine(url)
        session = session_factory(engine)()
        print(f"refresh_tenant (full facts rebuild, large tenant): {refresh(session, info['client_id']):.1f} s")
        settle(url)
        period = parse_period(date(2025, 11, 1), date(2026, 10, 31), None)
        big_cases = read_cases(session, period, info["client_id"], info["team_id"])
        big_alone = run_reads(session, big_cases, args.runs, "large tenant, alone in the database")
        explain_over(session, period, big_alone, info["team_id"], info["client_id"])
        incremental_refresh_figure(url, info["client_id"])
        settings_write_figure(url, info["client_id"], scratch, args.runs)

        # Other tenants: the first is measured alone (with the large tenant), then again among all of them.
        t0 = time.perf_counter()
        small = load(url, tenant_scale, name="Tenant 0", seed=1000, commits=False)
        refresh(session, small["client_id"])
        settle(url)
        small_cases = read_cases(session, period, small["client_id"], small["team_id"])
        small_alone = run_reads(session, small_cases, args.runs, f"one tenant of {small['sizes']['prs']} PRs, alone")
        rebuilds = []
        for n in range(1, tenants):
            other = load(url, tenant_scale, name=f"Tenant {n}", seed=1000 + n, commits=False, analyze=False)
            rebuilds.append(refresh(session, other["client_id"]))
        settle(url)
        print(
            f"\nloaded and rebuilt {tenants} tenants of {small['sizes']['prs']} PRs in {time.perf_counter() - t0:.0f} s"
            f" (rebuild per tenant: median {statistics.median(rebuilds or [0]):.2f} s)",
            flush=True,
        )
        big_shared = run_reads(session, big_cases, args.runs, f"large tenant, with {tenants} other tenants")
        small_shared = run_reads(session, small_cases, args.runs, f"small tenant, among {tenants} tenants")
        print_ratios("large tenant", big_alone, big_shared)
        print_ratios("small tenant", small_alone, small_shared)
        every = [*big_alone.values(), *big_shared.values(), *small_alone.values(), *small_shared.values()]
        worst = max(p95 for _p50, p95 in every)
        verdict = "ok" if worst <= TARGET_MS else "OVER"
        print(f"\nworst p95 of every read: {worst:.1f} ms ({verdict} against {TARGET_MS:.0f} ms)")
        session.close()
        engine.dispose()
    finally:
        server.drop_database(url)
        if server.server_handle is not None:
            stop_embedded(scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"benchmark wall time: {(time.perf_counter() - wall) / 60:.1f} min")


if __name__ == "__main__":
    main()
