"""The GitLab connector against the simulated GitLab group: paging, limits, faults, incremental and re-syncs."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.core.errors import InvalidInput
from pulse.etl.connectors.base.interface import IntegrationConfig, PermanentSyncError
from pulse.etl.connectors.base.paginate import GitLabPaginator
from pulse.etl.connectors.gitlab.connector import GitLabConnector, api_root
from pulse.etl.integrations.service import validate_credentials, validate_settings
from pulse.sim.config import DEFAULT_GITLAB_TOKEN
from pulse.sim.gitlab import world
from pulse.sim.server import RunningSimulator
from pulse.sim.truth import shipped_changes
from tests.connectors.conftest import make_integration, sim_config, sim_stats
from tests.connectors.context import DirectContext, Killed
from tests.connectors.snapshot import counts, snapshot
from tests.connectors.test_http import client as http_client
from tests.factories import make_client

MRS = "GET /projects/{id}/merge_requests"
APPROVALS = "GET /projects/{id}/merge_requests/{iid}/approvals"
GROUP_PROJECTS = "GET /groups/{id}/projects"


def gitlab(engine: Engine, client_id: int, sim: RunningSimulator, **settings: Any) -> IntegrationConfig:
    """A GitLab integration on the simulator's group, with the simulator's token."""
    group = sim.app.gitlab_dataset.org
    body = {"groups": [group], "retry_backoff_seconds": 0.01, "merge_request_details": True, **settings}
    integration = make_integration(engine, client_id, "gitlab", sim.base_url + "/gitlab", body)
    return replace(integration, credentials={"token": DEFAULT_GITLAB_TOKEN})


def sync(engine: Engine, integration: IntegrationConfig) -> DirectContext:
    ctx = DirectContext(engine, integration)
    GitLabConnector().sync(ctx)
    return ctx


def calls(stats: dict[str, Any], route: str, status: str | None = None) -> int:
    by_status = stats["by_route"].get(route, {})
    return int(by_status.get(status, 0) if status else sum(by_status.values()))


def test_full_sync_stores_merge_requests_as_pull_requests_with_reviews_comments_and_shipped_changes(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    ds = sim.app.gitlab_dataset
    ctx = sync(clean_engine, gitlab(clean_engine, tenant, sim, page_size=7))
    assert len({r.team for r in ds.repositories}) >= 2  # projects sit in two subgroups
    with clean_engine.connect() as conn:
        names = set(conn.execute(text("SELECT full_name FROM repositories")).scalars())
        assert names == {world.project_path(ds, r) for r in ds.repositories}
        rows = {
            (r.owner, r.number): r
            for r in conn.execute(
                text("SELECT r.owner, p.* FROM pull_requests p JOIN repositories r ON r.id = p.repository_id")
            )
        }
        assert len(rows) == sum(len(r.pulls) for r in ds.repositories)
        for repo in ds.repositories:
            owner = world.project_path(ds, repo).rsplit("/", 1)[0]
            for pr in repo.pulls:
                row = rows[(owner, pr.number)]
                assert row.state == ("merged" if pr.merged_at else pr.state)
                assert row.merge_commit_sha == (pr.merge_commit_sha if pr.merged_at else None)
                assert row.commits_count == len(pr.commits)
                assert row.first_commit_at == min(c.authored_at for c in pr.commits)
                others = [rv.submitted_at for rv in pr.reviews if rv.user != pr.user]
                others += [c.created_at for c in pr.comments if c.user != pr.user]
                assert row.first_review_at == (min(others) if others else None)
                # Stored reviews: standing approvals and change requests; comments: every non-system note.
                expected_reviews = len(world.approvers(pr)) + sum(r.state == "CHANGES_REQUESTED" for r in pr.reviews)
                assert row.reviews_count == expected_reviews
                assert row.comments_count == len(pr.comments) + sum(r.state == "COMMENTED" for r in pr.reviews)
                assert (row.additions, row.deletions, row.changed_files) == (
                    pr.additions,
                    pr.deletions,
                    pr.changed_files,
                )
        # System notes ("added 1 commit", "approved this merge request") are not review comments.
        note_ids = set(conn.execute(text("SELECT external_id FROM pull_request_comments")).scalars())
        assert all(int(n) < world.SYSTEM_NOTE_BASE for n in note_ids) and note_ids
        deployments = {
            r.external_id: r for r in conn.execute(text("SELECT * FROM deployments WHERE source = 'deployment'"))
        }
        truth = {f"deployment:{d.id}": d for r in ds.repositories for d in r.deployments}
        assert set(deployments) == set(truth)
        for ext, dep in truth.items():
            status = {"success": "success", "failure": "failure", "error": "error"}.get(dep.outcome, "queued")
            assert (deployments[ext].status, deployments[ext].environment) == (status, dep.environment)
            if status == "success":
                assert deployments[ext].finished_at == dep.finished_at
        incidents = set(conn.execute(text("SELECT number FROM github_issues WHERE 'incident' = ANY(labels)")).scalars())
        assert incidents == {i.number for r in ds.repositories for i in r.issues if i.is_incident} and incidents
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


def test_projects_are_listed_by_keyset_and_merge_requests_by_offset_pages(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    ds = sim.app.gitlab_dataset
    sync(clean_engine, gitlab(clean_engine, tenant, sim, page_size=1, merge_request_details=False))
    stats = sim_stats(sim)
    # One keyset page per project (page size 1): the last page has no `Link: rel="next"`.
    assert calls(stats, GROUP_PROJECTS, "200") == len(ds.repositories)
    assert calls(stats, MRS, "200") == sum(len(r.pulls) for r in ds.repositories)
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pull_requests")).scalar() == calls(stats, MRS, "200")


def test_named_projects_by_path_and_a_missing_group_fails_permanently(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    ds = sim.app.gitlab_dataset
    repo = ds.repositories[-1]
    path = world.project_path(ds, repo)
    named = gitlab(clean_engine, tenant, sim, groups=[], projects=[path])
    sync(clean_engine, named)
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT full_name FROM repositories")).scalars().all() == [path]
        assert conn.execute(text("SELECT count(*) FROM pull_requests")).scalar() == len(repo.pulls)
    missing = gitlab(clean_engine, make_client(clean_engine), sim, groups=["no-such-group"])
    with pytest.raises(PermanentSyncError, match="group no-such-group not found"):
        sync(clean_engine, missing)


def test_unchanged_resync_keeps_every_row_and_spends_few_requests(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = gitlab(clean_engine, tenant, sim)
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    before, rows = snapshot(clean_engine, integration.id), counts(clean_engine, integration.id)
    sync(clean_engine, integration)
    again = sim_stats(sim)
    assert snapshot(clean_engine, integration.id) == before
    assert counts(clean_engine, integration.id) == rows
    assert sum(again["charged"].values()) <= 0.1 * sum(full["charged"].values())


def test_incremental_sync_after_advance_fetches_only_updated_merge_requests_and_equals_a_full_sync(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = gitlab(clean_engine, tenant, sim)
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    step = httpx.post(sim.base_url + "/_sim/advance", json={"hours": 48, "new_pulls_per_repo": 3}, timeout=30)
    step.raise_for_status()
    assert step.json()["steps"][0]["gitlab"]["new_merge_requests"]
    sync(clean_engine, integration)
    incremental = sim_stats(sim)
    assert 0 < calls(incremental, APPROVALS) < calls(full, APPROVALS) / 2
    # `updated_after` carried the stored cursor less the overlap.
    ctx = DirectContext(clean_engine, integration)
    repo = sim.app.gitlab_dataset.repositories[0]
    cursor = ctx.get_checkpoint(f"merge_requests:{world.project_path(sim.app.gitlab_dataset, repo)}")
    assert cursor and cursor["cursor"] == max(p.updated_at for p in repo.pulls).isoformat().replace("+00:00", "Z")
    fresh = gitlab(clean_engine, make_client(clean_engine), sim)
    sync(clean_engine, fresh)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, fresh.id)


def test_rate_limit_is_waited_out_with_ratelimit_headers_and_retry_after(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, gitlab_rate_limit={"limit": 40, "window_seconds": 1})
    integration = gitlab(clean_engine, tenant, sim, merge_request_details=False)
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    # Waits come from `RateLimit-Remaining: 0` + `RateLimit-Reset` (fractional, before any 429) and from the
    # 429's whole-second `Retry-After`; none is longer than the one-second window allows.
    assert stats["by_status"].get("429", 0) > 0 and ctx.slept
    assert any(s != int(s) for s in ctx.slept) and max(ctx.slept) <= 3.0
    sim_config(sim, gitlab_rate_limit={"limit": 2000, "window_seconds": 60})
    clean = gitlab(clean_engine, make_client(clean_engine), sim, merge_request_details=False)
    sync(clean_engine, clean)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, clean.id)


def test_faults_and_burst_limits_are_retried_and_the_result_equals_a_clean_sync(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, fault_seed=3, error_rate=0.1, drop_connection_rate=0.03, secondary_limit_every=9)
    integration = gitlab(clean_engine, tenant, sim)
    sync(clean_engine, integration)
    faults = sim_stats(sim)["faults"]
    assert faults.get("error_500", 0) + faults.get("error_502", 0) > 0 and faults.get("drop", 0) > 0
    assert faults.get("secondary", 0) > 0
    sim_config(sim, error_rate=0.0, drop_connection_rate=0.0, secondary_limit_every=0)
    clean = gitlab(clean_engine, make_client(clean_engine), sim)
    sync(clean_engine, clean)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, clean.id)


def test_pipelines_as_the_deployment_source(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    ds = sim.app.gitlab_dataset
    sync(clean_engine, gitlab(clean_engine, tenant, sim, deployment_source="pipeline"))
    with clean_engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(text("SELECT * FROM deployments"))}
        shipped = defaultdict(set)
        for ext, iid in conn.execute(
            text(
                "SELECT d.external_id, p.number FROM deployment_pull_requests x "
                "JOIN deployments d ON d.id = x.deployment_id JOIN pull_requests p ON p.id = x.pull_request_id"
            )
        ):
            shipped[ext].add(iid)
    runs = {f"pipeline:{r.id}": r for repo in ds.repositories for r in repo.workflow_runs if r.name == "deploy"}
    assert set(rows) == set(runs) and runs  # merge-request pipelines deploy nothing
    for ext, run in runs.items():
        row = rows[ext]
        assert (row.source, row.environment, row.sha) == ("pipeline", "production", run.head_sha)
        assert row.status == ("success" if run.conclusion == "success" else "failure")
        assert row.finished_at == run.updated_at
    # Each production deploy pipeline ships what its deployment shipped: compare between consecutive successes.
    pipeline_of = {r.deployment_id: ext for ext, r in runs.items()}
    expected = {
        pipeline_of[dep_id]: {pr.number for pr in prs}
        for repo in ds.repositories
        for dep_id, prs in shipped_changes(repo).items()
        if prs
    }
    assert dict(shipped) == expected and expected


def test_environment_tiers_name_deployments_when_asked(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = gitlab(clean_engine, tenant, sim, environment_from="tier")
    sync(clean_engine, integration)
    sim_stats(sim, reset=True)
    sync(clean_engine, integration)
    # The environment listing is one fixed URL: unchanged, it is answered 304.
    assert calls(sim_stats(sim), "GET /projects/{id}/environments", "304") == len(sim.app.gitlab_dataset.repositories)
    with clean_engine.connect() as conn:
        envs = set(conn.execute(text("SELECT DISTINCT environment FROM deployments")).scalars())
    assert envs == {"production", "staging"}


def test_test_connection_and_api_root(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    integration = gitlab(clean_engine, tenant, sim)
    assert GitLabConnector().test_connection(integration) == (True, "Connected to GitLab as pulse-sim")
    ok, message = GitLabConnector().test_connection(replace(integration, credentials={"token": "wrong"}))
    assert (ok, message) == (False, "GitLab answered 401: bad credentials")
    assert api_root("https://gitlab.example.com/") == "https://gitlab.example.com/api/v4"
    assert api_root("https://gitlab.example.com/api/v4") == "https://gitlab.example.com/api/v4"
    assert api_root(None) == "https://gitlab.com/api/v4"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"groups": ["acme group"]}, "settings.groups"),
        ({"groups": [], "projects": []}, "settings.groups"),
        ({"projects": "acme/api"}, "settings.projects"),
        ({"projects": ["acme/api", "acme/api"]}, "settings.projects"),
        ({"groups": ["acme"], "deployment_source": "release"}, "settings.deployment_source"),
        ({"groups": ["acme"], "environment_from": "slug"}, "settings.environment_from"),
    ],
)
def test_bad_settings_name_their_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_settings("gitlab", settings)
    assert caught.value.field == field


def test_good_settings_and_the_token_is_required() -> None:
    good = {"groups": ["acme", "acme/platform"], "projects": ["acme/platform/api"], "deployment_source": "pipeline"}
    assert validate_settings("gitlab", dict(good)) == good
    with pytest.raises(InvalidInput) as caught:
        validate_credentials("gitlab", {"token": " "})
    assert caught.value.field == "credentials.token"


def test_paginator_follows_x_next_page_when_no_link_header_comes() -> None:
    """Behind some proxies GitLab's `Link` is stripped; `X-Next-Page` (empty on the last page) still says more."""
    seen: list[str] = []

    def pages(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params.get("page", "1"))
        page = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=[page], headers={"X-Next-Page": str(page + 1) if page < 3 else ""})

    slept: list[float] = []
    got = [p.data for p in GitLabPaginator().pages(http_client(pages, slept), "/projects/1/issues", {"per_page": 1})]
    assert (got, seen) == ([[1], [2], [3]], ["1", "2", "3"])


def test_ratelimit_remaining_zero_waits_for_ratelimit_reset_before_the_next_request() -> None:
    now = time.time()

    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(now) + 5)})

    slept: list[float] = []
    source = http_client(limited, slept, clock=lambda: now)
    source.get("/user")
    source.get("/user")
    assert slept == [pytest.approx(5.5 - (now - int(now)), abs=0.01)]


def test_a_killed_run_resumes_from_its_last_commit_without_gaps_or_duplicates(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = gitlab(clean_engine, tenant, sim, page_size=5)
    with pytest.raises(Killed):
        GitLabConnector().sync(DirectContext(clean_engine, integration, kill_after_commits=6))
    with clean_engine.connect() as conn:
        partial = conn.execute(text("SELECT count(*) FROM pull_requests")).scalar()
    assert 0 < partial < sum(len(r.pulls) for r in sim.app.gitlab_dataset.repositories)
    sync(clean_engine, integration)
    clean = gitlab(clean_engine, make_client(clean_engine), sim, page_size=5)
    sync(clean_engine, clean)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, clean.id)


def test_settings_the_api_would_refuse_fail_the_run_permanently(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    with pytest.raises(PermanentSyncError, match="deployment_source"):
        sync(clean_engine, gitlab(clean_engine, tenant, sim, deployment_source="release"))
    with pytest.raises(PermanentSyncError, match="must name `groups` or `projects`"):
        sync(clean_engine, gitlab(clean_engine, tenant, sim, groups=[]))
    assert sim_stats(sim)["by_api"].get("gitlab", 0) == 0
