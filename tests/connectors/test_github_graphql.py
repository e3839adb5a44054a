"""The GitHub connector over GraphQL against the simulator's GraphQL endpoint (GitHub's schema and costs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.github.graphql_sync import graphql_url
from pulse.sim.gen_github import successful_production
from pulse.sim.server import RunningSimulator
from tests.connectors.conftest import github_settings, graphql_settings, make_integration, sim_config, sim_stats
from tests.connectors.context import DirectContext, Killed
from tests.connectors.snapshot import snapshot
from tests.factories import make_client
from tests.servers import ThreadServer


def sync(engine: Engine, integration: Any, **kwargs: Any) -> DirectContext:
    ctx = DirectContext(engine, integration, **kwargs)
    GitHubConnector().sync(ctx)
    return ctx


def rest_routes(stats: dict[str, Any]) -> int:
    """REST requests (every route but GraphQL's)."""
    return sum(sum(c.values()) for route, c in stats["by_route"].items() if "graphql" not in route)


def warnings(ctx: DirectContext) -> list[str]:
    return [message for level, message, _ in ctx.logs if level == "warning"]


def advance(sim: RunningSimulator) -> None:
    """Two days pass at the source: PRs are updated and new ones opened."""
    httpx.post(
        sim.base_url + "/_sim/advance", json={"hours": 48, "new_pulls_per_repo": 3}, timeout=30
    ).raise_for_status()


def rest_snapshot(sim: RunningSimulator, engine: Engine) -> dict[str, Any]:
    """What a REST sync of the simulator's organisation stores now (in a tenant of its own)."""
    integration = make_integration(engine, make_client(engine), "github", sim.base_url, github_settings())
    sync(engine, integration)
    return snapshot(engine, integration.id)


def test_graphql_and_rest_store_the_same_rows_on_a_full_and_an_incremental_sync(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    over_graphql = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, over_graphql)
    stats = sim_stats(sim, reset=True)
    assert warnings(ctx) == []
    assert stats["graphql"]["requests"] > 0
    # Only workflow runs stay on REST: no pull request, deployment status, release or compare request.
    assert not [r for r in stats["by_route"] if "/pulls" in r or "/statuses" in r or "/releases" in r]
    assert compares(stats) == 0
    over_rest = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    sync(clean_engine, over_rest)
    full = snapshot(clean_engine, over_graphql.id)
    assert len(full["pull_requests"]) == sum(len(r.pulls) for r in sim.app.dataset.repositories)
    assert full["pull_request_comments"] and full["deployment_pull_requests"] and full["github_issues"]
    assert full == snapshot(clean_engine, over_rest.id)

    advance(sim)
    sync(clean_engine, over_graphql)
    sync(clean_engine, over_rest)
    assert snapshot(clean_engine, over_graphql.id) == snapshot(clean_engine, over_rest.id)


def test_an_incremental_sync_stops_at_the_stored_cursor(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings(graphql_page_size=5))
    sync(clean_engine, integration)
    full = sim_stats(sim, reset=True)
    ds = sim.app.dataset
    cursors = {r.name: max(p.updated_at for p in r.pulls) for r in ds.repositories}
    advance(sim)
    ctx = sync(clean_engine, integration)
    again = sim_stats(sim)
    # Exactly the PRs updated since the cursor minus the overlap (10 minutes) are read and written again.
    changed = sum(
        1 for r in ds.repositories for p in r.pulls if p.updated_at >= cursors[r.name] - timedelta(minutes=10)
    )
    assert 0 < changed < sum(len(r.pulls) for r in ds.repositories) / 2
    assert ctx.progress_reports[-1]["counts"]["pull_requests"] == changed
    assert again["graphql"]["points"] < full["graphql"]["points"] / 2


def expected_follow_ups(sim: RunningSimulator, nested: int) -> int:
    """Follow-up queries a full sync needs with `nested` first pages: one per connection longer than that."""
    ds = sim.app.dataset
    longer = 0
    for repo in ds.repositories:
        for pr in repo.pulls:
            longer += (len(pr.reviews) > nested) + (len(pr.commits) > nested)
            for review in pr.reviews:
                longer += sum(1 for c in pr.comments if c.review_id == review.id) > nested
        longer += sum(len(d.statuses) > nested for d in repo.deployments)
        longer += sum(len(i.labels) > nested for i in repo.issues)
    return longer


def test_nested_connections_longer_than_the_first_page_get_follow_ups_for_that_node_only(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    default = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    sync(clean_engine, default)
    queries = sim_stats(sim, reset=True)["graphql"]["requests"]
    small = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url,
                             graphql_settings(graphql_nested_page_size=1))  # fmt: skip
    sync(clean_engine, small)
    with_follow_ups = sim_stats(sim)["graphql"]["requests"]
    assert expected_follow_ups(sim, 1) > 20
    assert with_follow_ups - queries == expected_follow_ups(sim, 1) - expected_follow_ups(sim, 20)
    assert snapshot(clean_engine, small.id) == snapshot(clean_engine, default.id)


def test_spent_points_wait_for_the_reset(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    sim_config(sim, graphql={"rate_limit": {"limit": 11, "window_seconds": 3}})
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    assert stats["graphql"]["points"] > 11  # more than one window's budget: the run waited for a reset
    # A query costing more than the points left is refused (RATE_LIMITED) or, when the last one cost as much,
    # not sent before the reset: either way the run waits for `resetAt` and every query ends up answered.
    assert ctx.slept and all(0 < wait <= 4.5 for wait in ctx.slept)
    assert ctx.progress_reports[-1]["counts"]["rate_limit_waits"] >= 1
    sim_config(sim, graphql={"rate_limit": {"limit": 5000, "window_seconds": 3600}})
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


def test_secondary_limits_and_rate_limited_errors_are_waited_out(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, graphql={"secondary_next": 2, "rate_limited_next": 2})
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    assert stats["faults"].get("secondary") == 2 and stats["faults"].get("graphql_rate_limited") == 2
    assert len(ctx.slept) >= 4
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


def test_a_502_for_big_queries_is_retried_with_smaller_pages_that_the_run_keeps(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, graphql={"max_page_size": 30})
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    timeouts = stats["by_route"]["POST /graphql"].get("502", 0)
    # The listing's 100 releases → 50 → 25, 50 PRs → 25, and follow-ups' 100 → 50 → 25 once each: later
    # queries ask small pages at once.
    assert 0 < timeouts <= 6
    assert warnings(ctx) == []
    sim_config(sim, graphql={"max_page_size": 0})
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


def test_a_forbidden_or_missing_repository_is_skipped_with_a_log_line_and_the_run_finishes(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    saml, gone, fine = sim.app.dataset.repositories[:3] if len(sim.app.dataset.repositories) > 2 else (
        *sim.app.dataset.repositories[:1], None, sim.app.dataset.repositories[1])  # fmt: skip
    errors = {saml.name: "FORBIDDEN", **({gone.name: "NOT_FOUND"} if gone else {})}
    sim_config(sim, graphql={"repository_errors": errors})
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    skipped = [m for m in warnings(ctx) if m.startswith("repository ")]
    assert any(saml.full_name in m and "FORBIDDEN" in m and "SAML" in m for m in skipped)
    if gone:
        assert any(gone.full_name in m and "NOT_FOUND" in m for m in skipped)
    with clean_engine.connect() as conn:
        numbers: dict[str, int] = dict(conn.execute(text(
            "SELECT r.name, count(p.id) FROM repositories r LEFT JOIN pull_requests p ON p.repository_id = r.id "
            "WHERE r.integration_id = :i GROUP BY r.name"), {"i": integration.id}).all())  # fmt: skip
    assert numbers[saml.name] == 0 and numbers[fine.name] == len(fine.pulls)
    assert ctx.progress_reports[-1]["step"] == "done"


def test_a_server_without_graphql_is_synced_over_rest_with_a_log_line(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, graphql={"enabled": False})
    settings = graphql_settings(pull_request_details=True)  # for REST to read sizes too
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, settings)
    ctx = sync(clean_engine, integration)
    assert [m for m in warnings(ctx) if "GraphQL is not available (404" in m and "REST" in m]
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


def refusing_graphql(sim: RunningSimulator) -> ThreadServer:
    """A GitHub in front of the simulator whose GraphQL endpoint refuses the token (REST passes through)."""
    upstream = httpx.Client(base_url=sim.base_url, timeout=30)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        request = Request(scope, receive)
        if request.url.path.endswith("/graphql"):
            message = {"message": "Resource not accessible by personal access token"}
            response: Response = JSONResponse(message, status_code=403)
        else:
            answer = upstream.request(request.method, request.url.path, params=request.query_params,
                                      headers={k: v for k, v in request.headers.items() if k != "host"})  # fmt: skip
            keep = {k: v for k, v in answer.headers.items() if k.lower().startswith(("x-ratelimit", "etag", "link"))}
            response = Response(answer.content, answer.status_code, keep, answer.headers.get("content-type"))
        await response(scope, receive, send)

    return ThreadServer(app).start()


def test_a_token_graphql_refuses_is_synced_over_rest_with_a_log_line(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    server = refusing_graphql(sim)
    try:
        settings = graphql_settings(pull_request_details=True)  # for REST to read sizes too
        integration = make_integration(clean_engine, tenant, "github", server.base_url, settings)
        ctx = sync(clean_engine, integration)
    finally:
        server.stop()
    assert [m for m in warnings(ctx) if "GraphQL is not available (403" in m and "REST" in m]
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


@pytest.mark.parametrize("kill_after", [2, 5, 9])
def test_a_killed_run_resumes_from_its_last_page(
    sim: RunningSimulator, tenant: int, clean_engine: Engine, kill_after: int
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings(graphql_page_size=4))
    with pytest.raises(Killed):
        sync(clean_engine, integration, kill_after_commits=kill_after)
    sim_stats(sim, reset=True)
    sync(clean_engine, integration)
    resumed = sim_stats(sim)["graphql"]["requests"]
    clean = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url,
                             graphql_settings(graphql_page_size=4))  # fmt: skip
    sync(clean_engine, clean)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, clean.id)
    assert resumed < sim_stats(sim)["graphql"]["requests"] - resumed  # the resumed run did not start over


def test_the_job_log_says_what_the_run_spent_and_what_is_left(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim)
    counts = ctx.progress_reports[-1]["counts"]
    assert counts["points"] == stats["graphql"]["points"] > 0
    assert counts["graphql_requests"] == stats["graphql"]["requests"]
    assert counts["points_remaining"] == 5000 - stats["graphql"]["points"]
    assert "requests_remaining" in counts  # workflow runs stay on REST
    rest = counts["requests"] - counts["not_modified"] - counts["graphql_requests"]
    line = next(message for level, message, _ in ctx.logs if level == "info" and message.startswith("synced "))
    assert f"rate limit spent: {rest} requests, {counts['points']} GraphQL points; " in line
    assert f"left: {counts['requests_remaining']} requests, {counts['points_remaining']} points" in line


def test_graphql_url_is_where_the_simulator_and_an_enterprise_server_answer(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    assert graphql_url(sim.base_url + "/api/v3") == sim.base_url + "/api/graphql"
    integration = make_integration(clean_engine, tenant, "github", sim.base_url + "/api/v3", graphql_settings())
    ctx = sync(clean_engine, integration)
    assert warnings(ctx) == []
    assert sim_stats(sim)["by_route"].get("POST /api/graphql")
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)


def test_an_unchanged_resync_asks_only_the_repository_listing(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    sync(clean_engine, integration)
    before = snapshot(clean_engine, integration.id)
    sim_stats(sim, reset=True)
    sync(clean_engine, integration)
    again = sim_stats(sim)
    repos = len(sim.app.dataset.repositories)
    # One listing query (with each repository's releases and newest PR, issue and deployment) for one point.
    assert again["graphql"]["requests"] == 1 and again["graphql"]["points"] == 1
    # REST: the workflow-run listings only, each the first sync's URL again, so a free 304.
    assert set(again["by_api"]) <= {"github", "graphql"}
    assert again["not_modified"] == repos and sum(again["charged"].values()) == 0
    assert snapshot(clean_engine, integration.id) == before


def run_listings(stats: dict[str, Any]) -> int:
    """REST workflow-run listing requests, 304s included."""
    return sum(stats["by_route"].get("GET /repos/{owner}/{repo}/actions/runs", {}).values())


def test_workflow_run_listings_stop_at_the_cursor_and_miss_nothing(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings(page_size=5))
    sync(clean_engine, integration)
    full = run_listings(sim_stats(sim, reset=True))
    repos = len(sim.app.dataset.repositories)
    assert full > 3 * repos  # every run of each repository, five a page
    step = {"hours": 48, "new_pulls_per_repo": 3}
    httpx.post(sim.base_url + "/_sim/advance", json=step, timeout=30).raise_for_status()
    sync(clean_engine, integration)
    # The new runs fit on the first page, which already reaches below the cursor: a page or two per repository.
    assert run_listings(sim_stats(sim)) <= 2 * repos
    fresh = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, graphql_settings())
    sync(clean_engine, fresh)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, fresh.id)


def compares(stats: dict[str, Any]) -> int:
    """REST compare requests."""
    return sum(sum(c.values()) for route, c in stats["by_route"].items() if "/compare/" in route)


def test_shipped_changes_walk_history_in_batches_past_one_page_without_rest_compares(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    # Two commits a history page: most ranges between production deployments need follow-up pages.
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings(graphql_page_size=2))
    ctx = sync(clean_engine, integration)
    stats = sim_stats(sim, reset=True)
    assert warnings(ctx) == [] and compares(stats) == 0
    with clean_engine.connect() as conn:
        longest = conn.execute(
            text(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM deployment_commits dc JOIN deployments d "
                "ON d.id = dc.deployment_id WHERE d.client_id = :c GROUP BY dc.deployment_id) x"
            ),
            {"c": tenant},
        ).scalar_one()
    assert longest > 2
    rest = rest_snapshot(sim, clean_engine)
    assert compares(sim_stats(sim)) > 0
    assert snapshot(clean_engine, integration.id) == rest


def test_ranges_history_cannot_answer_fall_back_to_rest_compare(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    repo = max(sim.app.dataset.repositories, key=lambda r: len(successful_production(r.deployments)))
    deps = successful_production(repo.deployments)
    assert len(deps) >= 6
    position = {c.sha: i for i, c in enumerate(repo.main)}
    # A deployment of an older commit than the one before it (history never meets the previous sha: REST
    # says it is behind, nothing shipped) and one of a sha GitHub does not know (rewritten away: 404).
    deps[2].sha = repo.main[position[deps[1].sha] - 1].sha
    deps[4].sha = "0" * 40
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, graphql_settings())
    ctx = sync(clean_engine, integration)
    # deps[2], deps[4] and deps[5] (whose previous sha is unknown) fall back; the others are history walks.
    assert compares(sim_stats(sim, reset=True)) == 3
    assert sum("compare " in w and "unavailable (404)" in w for w in warnings(ctx)) == 2
    assert snapshot(clean_engine, integration.id) == rest_snapshot(sim, clean_engine)
