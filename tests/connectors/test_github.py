"""The GitHub connector against the simulator: full, incremental and unchanged syncs, shipped changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, text

from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.sim.server import RunningSimulator
from pulse.sim.truth import shipped_changes
from tests.connectors.conftest import github_settings, make_integration, sim_stats
from tests.connectors.context import DirectContext
from tests.connectors.snapshot import snapshot
from tests.factories import make_client


def sync(engine: Engine, integration) -> DirectContext:  # type: ignore[no-untyped-def]
    ctx = DirectContext(engine, integration)
    GitHubConnector().sync(ctx)
    return ctx


def charged(stats: dict) -> int:  # type: ignore[type-arg]
    return sum(stats["charged"].values())


def test_full_sync_ingests_every_record_and_what_each_production_deployment_shipped(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings(page_size=10))
    ctx = sync(clean_engine, integration)
    ds = sim.app.dataset
    pulls = [p for r in ds.repositories for p in r.pulls]
    with clean_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.number, r.name, p.state, p.merge_commit_sha, p.first_review_at, p.commits_count, "
                "p.review_cycles, p.reviews_count, p.comments_count, p.first_commit_at "
                "FROM pull_requests p JOIN repositories r ON r.id = p.repository_id"
            )
        ).all()
        assert len(rows) == len(pulls)
        by_key = {(r.name, r.number): r for r in rows}
        for repo in ds.repositories:
            for pr in repo.pulls:
                row = by_key[(repo.name, pr.number)]
                assert row.state == ("merged" if pr.merged_at else pr.state)
                assert row.commits_count == len(pr.commits)
                assert row.first_commit_at == min(c.authored_at for c in pr.commits)
                others = [rv.submitted_at for rv in pr.reviews if rv.user != pr.user]
                assert row.first_review_at == (min(others) if others else None)
                assert row.reviews_count == len(pr.reviews)
                assert row.comments_count == len(pr.comments)
        deployments = conn.execute(
            text("SELECT external_id, environment, status, finished_at FROM deployments WHERE source = 'deployment'")
        ).all()
        assert len(deployments) == sum(len(r.deployments) for r in ds.repositories)
        truth_status = {
            f"deployment:{d.id}": (d.outcome, d.finished_at) for r in ds.repositories for d in r.deployments
        }
        for ext, _env, status, finished in deployments:
            assert (status, finished) == truth_status[ext]
        shipped = defaultdict(set)
        for ext, number in conn.execute(
            text(
                "SELECT d.external_id, p.number FROM deployment_pull_requests x "
                "JOIN deployments d ON d.id = x.deployment_id JOIN pull_requests p ON p.id = x.pull_request_id"
            )
        ):
            shipped[ext].add(number)
    expected = {
        f"deployment:{dep_id}": {pr.number for pr in prs}
        for repo in ds.repositories
        for dep_id, prs in shipped_changes(repo).items()
        if prs
    }
    assert dict(shipped) == expected
    assert ctx.progress_reports[-1]["counts"]["skipped"] == 0
    assert any(level == "info" and message.startswith("synced ") for level, message, _ in ctx.logs)


def test_unchanged_resync_is_answered_mostly_by_304_and_spends_under_5_percent(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    before = snapshot(clean_engine, integration.id)
    sync(clean_engine, integration)
    again = sim_stats(sim)
    assert again["not_modified"] >= 4
    assert charged(again) <= 0.05 * charged(full)
    assert snapshot(clean_engine, integration.id) == before


def test_incremental_sync_fetches_only_changed_records_and_equals_a_full_sync(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    changed = httpx.post(sim.base_url + "/_sim/advance", json={"hours": 48, "new_pulls_per_repo": 3}, timeout=30)
    changed.raise_for_status()
    sync(clean_engine, integration)
    incremental = sim_stats(sim)
    review_calls = sum(incremental["by_route"].get("GET /repos/{owner}/{repo}/pulls/{number}/reviews", {}).values())
    full_review_calls = sum(full["by_route"]["GET /repos/{owner}/{repo}/pulls/{number}/reviews"].values())
    assert 0 < review_calls < full_review_calls / 2
    # The incremental result is exactly what a first sync of the changed source gives.
    other = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    sync(clean_engine, other)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, other.id)


def test_enterprise_base_url_with_api_v3_prefix(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    integration = make_integration(
        clean_engine, tenant, "github", sim.base_url + "/api/v3", github_settings(page_size=7)
    )
    sync(clean_engine, integration)
    plain = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    sync(clean_engine, plain)
    enterprise = snapshot(clean_engine, integration.id)
    assert len(enterprise["pull_requests"]) == sum(len(r.pulls) for r in sim.app.dataset.repositories)
    assert enterprise == snapshot(clean_engine, plain.id)


def test_only_named_repositories_are_ingested(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    repo = sim.app.dataset.repositories[1]
    settings = {"repositories": [repo.full_name], "retry_backoff_seconds": 0.01}
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, settings)
    sync(clean_engine, integration)
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT full_name FROM repositories")).scalars().all() == [repo.full_name]
        assert conn.execute(text("SELECT count(*) FROM pull_requests")).scalar() == len(repo.pulls)
    # Naming another repository later leaves the first one's rows inactive.
    other = sim.app.dataset.repositories[0]
    sync(clean_engine, replace(integration, settings={**settings, "repositories": [other.full_name]}))
    with clean_engine.connect() as conn:
        active = dict(conn.execute(text("SELECT full_name, active FROM repositories")).all())
    assert active == {repo.full_name: False, other.full_name: True}


def test_sync_since_limits_the_first_sync(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    since = sim.app.dataset.now.date().replace(day=1).isoformat()
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings(sync_since=since))
    sync(clean_engine, integration)
    with clean_engine.connect() as conn:
        oldest = conn.execute(text("SELECT min(source_updated_at) FROM pull_requests")).scalar()
        total = conn.execute(text("SELECT count(*) FROM pull_requests")).scalar()
    assert oldest is None or oldest.date().isoformat() >= since
    assert total < sum(len(r.pulls) for r in sim.app.dataset.repositories)


def test_commits_gone_from_a_pull_request_stop_counting(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    sync(clean_engine, integration)
    ds = sim.app.dataset
    pr = next(p for r in ds.repositories for p in r.pulls if p.state == "open" and len(p.commits) >= 2)
    dropped = pr.commits.pop()  # a force-push rewrote the branch
    pr.updated_at = ds.now
    ds.touch()
    sync(clean_engine, integration)
    with clean_engine.connect() as conn:
        active = dict(
            conn.execute(
                text("SELECT c.sha, c.active FROM pull_request_commits c "
                     "JOIN pull_requests p ON p.id = c.pull_request_id WHERE p.external_id = :e"),
                {"e": str(pr.id)},
            ).all()
        )  # fmt: skip
        count = conn.execute(text("SELECT commits_count FROM pull_requests WHERE external_id = :e"), {"e": str(pr.id)})
        assert count.scalar() == len(pr.commits)
    assert active[dropped.sha] is False
    assert all(active[c.sha] for c in pr.commits)


def test_workflow_runs_and_releases_are_also_deployments_of_their_own_source(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    sync(clean_engine, integration)
    ds = sim.app.dataset
    runs = {
        f"workflow_run:{r.id}": r
        for repo in ds.repositories for r in repo.workflow_runs
        if r.head_branch == repo.default_branch and r.event != "pull_request"
    }  # fmt: skip
    releases = {f"release:{r.id}": r for repo in ds.repositories for r in repo.releases if not r.draft}
    with clean_engine.connect() as conn:
        rows = {
            r.external_id: r
            for r in conn.execute(text("SELECT * FROM deployments WHERE source IN ('workflow_run', 'release')"))
        }
    assert set(rows) == set(runs) | set(releases) and runs and releases
    for ext, run in runs.items():
        row = rows[ext]
        assert (row.sha, row.environment, row.source) == (run.head_sha, "production", "workflow_run")
        assert row.status == ("success" if run.conclusion == "success" else "failure")
    for ext, release in releases.items():
        row = rows[ext]
        assert (row.sha, row.status, row.finished_at) == (release.target_commitish, "success", release.published_at)
        assert not row.changes_computed


def test_a_walk_that_stops_at_an_unchanged_page_closes_its_checkpoint(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings(page_size=5))
    sync(clean_engine, integration)
    ds = sim.app.dataset
    repo = ds.repositories[0]
    pr = sorted(repo.pulls, key=lambda p: (p.updated_at, p.number), reverse=True)[2]
    pr.title = "Renamed while on the first page"
    pr.updated_at = max(p.updated_at for p in repo.pulls) + timedelta(minutes=1)
    ds.touch()
    sim_stats(sim, reset=True)
    ctx = sync(clean_engine, integration)
    pulls = sim_stats(sim)["by_route"]["GET /repos/{owner}/{repo}/pulls"]
    assert pulls.get("200", 0) >= 1 and pulls.get("304", 0) >= 1
    assert "run" not in (ctx.get_checkpoint(f"pull_requests:{repo.full_name}") or {})
    with clean_engine.connect() as conn:
        title = conn.execute(text("SELECT title FROM pull_requests WHERE external_id = :e"), {"e": str(pr.id)})
        assert title.scalar() == pr.title


PER_PR_COMMENTS = "GET /repos/{owner}/{repo}/pulls/{number}/comments"
REPO_COMMENTS = "GET /repos/{owner}/{repo}/pulls/comments"
PULL_DETAIL = "GET /repos/{owner}/{repo}/pulls/{number}"
REVIEWS = "GET /repos/{owner}/{repo}/pulls/{number}/reviews"


def calls(stats: dict, route: str, status: str | None = None) -> int:  # type: ignore[type-arg]
    counts = stats["by_route"].get(route, {})
    return int(counts.get(status, 0) if status else sum(counts.values()))


def stored_comments(engine: Engine, integration_id: int) -> set[tuple[str, int, str, str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT r.name, p.number, c.external_id, c.author_login, c.commented_at FROM pull_request_comments c "
                 "JOIN pull_requests p ON p.id = c.pull_request_id JOIN repositories r ON r.id = p.repository_id "
                 "WHERE c.integration_id = :i AND c.active"),
            {"i": integration_id},
        ).all()  # fmt: skip
    return {tuple(r) for r in rows}  # type: ignore[misc]


def truth_comments(sim: RunningSimulator) -> set[tuple[str, int, str, str, object]]:
    return {
        (repo.name, pr.number, str(c.id), c.user, c.created_at)
        for repo in sim.app.dataset.repositories
        for pr in repo.pulls
        for c in pr.comments
    }


def test_review_comments_come_from_the_repository_listing_not_one_request_per_pull_request(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings(page_size=10))
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    repos = sim.app.dataset.repositories
    assert calls(stats, PER_PR_COMMENTS) == 0
    # The probe plus at least one listing page per repository.
    assert calls(stats, REPO_COMMENTS, "200") >= 2 * len(repos)
    for repo in repos:
        assert ctx.get_checkpoint(f"review_comments:{repo.full_name}")["mode"] == "repo"  # type: ignore[index]
    truth = truth_comments(sim)
    assert len(truth) > 20 and stored_comments(clean_engine, integration.id) == truth
    # The per-PR fallback (servers without the listing) stores exactly the same rows.
    fallback = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    seed = DirectContext(clean_engine, fallback)
    for repo in repos:
        seed.commit(f"review_comments:{repo.full_name}", {"mode": "per_pull"}, lambda s: None)
    sim_stats(sim, reset=True)
    sync(clean_engine, fallback)
    per_pull = sim_stats(sim)
    assert calls(per_pull, PER_PR_COMMENTS) == sum(len(r.pulls) for r in repos)
    assert calls(per_pull, REPO_COMMENTS) == 0
    assert snapshot(clean_engine, fallback.id) == snapshot(clean_engine, integration.id)


def test_incremental_review_comments_are_listed_since_the_cursor(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    first = sync(clean_engine, integration)
    repos = sim.app.dataset.repositories
    cursors = {r.full_name: first.get_checkpoint(f"review_comments:{r.full_name}")["cursor"] for r in repos}  # type: ignore[index]
    for repo in repos:
        newest = max(c.updated_at for p in repo.pulls for c in p.comments)
        assert cursors[repo.full_name] == newest.isoformat().replace("+00:00", "Z")
    httpx.post(
        sim.base_url + "/_sim/advance", json={"hours": 72, "new_pulls_per_repo": 6}, timeout=30
    ).raise_for_status()
    sim_stats(sim, reset=True)
    again = sync(clean_engine, integration)
    stats = sim_stats(sim)
    assert calls(stats, PER_PR_COMMENTS) == 0
    # Only the comments updated since the cursor (less the 10-minute overlap) were listed again.
    overlap = timedelta(minutes=10)
    expected = sum(
        1
        for repo in repos
        for p in repo.pulls
        for c in p.comments
        if c.updated_at >= datetime.fromisoformat(cursors[repo.full_name].replace("Z", "+00:00")) - overlap
    )
    total = sum(len(p.comments) for r in repos for p in r.pulls)
    assert again.progress_reports[-1]["counts"].get("pull_request_comments", 0) == expected < total
    assert stored_comments(clean_engine, integration.id) == truth_comments(sim)
    with clean_engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT external_id, comments_count FROM pull_requests")).all())
    assert counts == {str(p.id): len(p.comments) for r in repos for p in r.pulls}


def sizes(engine: Engine, integration_id: int) -> dict[str, tuple[int | None, int | None, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT external_id, additions, deletions, changed_files FROM pull_requests WHERE integration_id = :i"
            ),
            {"i": integration_id},
        ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_pull_request_sizes_come_from_one_detail_request_per_pull_request_in_the_window(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    repos = sim.app.dataset.repositories
    pulls = [p for r in repos for p in r.pulls]
    assert sizes(clean_engine, integration.id) == {
        str(p.id): (p.additions, p.deletions, p.changed_files) for p in pulls
    }
    assert calls(full, PULL_DETAIL, "200") == len(pulls) == calls(full, REVIEWS, "200")
    # Pull-request routes: list pages + probe + comment listing + reviews + commits + details.
    pr_routes = sum(
        calls(full, route) for route in full["by_route"] if route.startswith("GET /repos/{owner}/{repo}/pulls")
    )
    assert pr_routes / len(pulls) < 3.2
    # Incremental: details only for the pull requests in the window, like reviews and commits.
    httpx.post(
        sim.base_url + "/_sim/advance", json={"hours": 48, "new_pulls_per_repo": 3}, timeout=30
    ).raise_for_status()
    sync(clean_engine, integration)
    incremental = sim_stats(sim)
    assert 0 < calls(incremental, PULL_DETAIL) == calls(incremental, REVIEWS) < len(pulls) / 2
    pulls = [p for r in repos for p in r.pulls]
    assert sizes(clean_engine, integration.id) == {
        str(p.id): (p.additions, p.deletions, p.changed_files) for p in pulls
    }


def test_pull_request_details_off_costs_no_detail_requests_and_keeps_stored_sizes(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    defaults = {k: v for k, v in github_settings().items() if k != "pull_request_details"}
    off = make_integration(clean_engine, tenant, "github", sim.base_url, defaults)  # off unless asked for
    sync(clean_engine, off)
    assert calls(sim_stats(sim, reset=True), PULL_DETAIL) == 0
    assert set(sizes(clean_engine, off.id).values()) == {(None, None, None)}
    # Switched on, then off again: a later sync without details does not erase the sizes it cannot see.
    on = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    sync(clean_engine, on)
    stored = sizes(clean_engine, on.id)
    ds = sim.app.dataset
    pr = ds.repositories[0].pulls[-1]
    pr.title = "Edited after the sizes were stored"
    pr.updated_at = ds.now + timedelta(minutes=5)
    ds.touch()
    sim_stats(sim, reset=True)
    sync(clean_engine, replace(on, settings={**on.settings, "pull_request_details": "false"}))
    assert calls(sim_stats(sim), PULL_DETAIL) == 0
    assert sizes(clean_engine, on.id) == stored and None not in stored[str(pr.id)]
    with clean_engine.connect() as conn:
        title = conn.execute(text("SELECT title FROM pull_requests WHERE external_id = :e AND integration_id = :i"),
                             {"e": str(pr.id), "i": on.id}).scalar()  # fmt: skip
    assert title == pr.title


def test_a_malformed_pull_request_detail_is_reported_and_the_pull_request_kept_without_sizes(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    ds = sim.app.dataset
    bad = ds.repositories[0].pulls[3]
    bad.additions = -7  # no such line count
    ds.touch()
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    ctx = sync(clean_engine, integration)
    assert ctx.progress_reports[-1]["counts"]["skipped"] == 1
    assert any(
        level == "warning" and message == f"skipped malformed pull_request_details record {bad.id}"
        for level, message, _ in ctx.logs
    )
    stored = sizes(clean_engine, integration.id)
    assert len(stored) == sum(len(r.pulls) for r in ds.repositories)
    assert stored.pop(str(bad.id)) == (None, None, None)
    assert None not in {v for figures in stored.values() for v in figures}
