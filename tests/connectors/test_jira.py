"""The Jira connector against the simulator: paging, changelogs, custom fields, time zones, incremental."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, text

from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.jira.connector import JiraConnector, jql_time
from pulse.sim.config import SimConfig
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import RunningSimulator, start_simulator
from tests.connectors.conftest import SMALL, jira_settings, make_integration, sim_stats
from tests.connectors.context import DirectContext
from tests.connectors.snapshot import snapshot
from tests.factories import make_client


def sync(engine: Engine, integration) -> DirectContext:  # type: ignore[no-untyped-def]
    ctx = DirectContext(engine, integration)
    JiraConnector().sync(ctx)
    return ctx


def test_work_items_page_through_next_page_tokens_with_full_changelogs(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "jira", sim.base_url, jira_settings(page_size=20))
    sync(clean_engine, integration)
    stats = sim_stats(sim)
    ds = sim.app.dataset
    assert sum(stats["by_route"]["GET /rest/api/3/search/jql"].values()) >= 3
    # Items with more than the 40 inline histories needed their changelog fetched separately.
    long_items = [w for w in ds.work_items if len(w.histories) > 40]
    changelog_calls = sum(stats["by_route"].get("GET /rest/api/3/issue/{key}/changelog", {}).values())
    assert changelog_calls >= len(long_items)
    with clean_engine.connect() as conn:
        rows = {r.key: r for r in conn.execute(text("SELECT * FROM work_items"))}
        transitions = conn.execute(
            text(
                "SELECT w.key, t.transitioned_at, t.from_status, t.to_status, t.seconds_in_from_status "
                "FROM work_item_transitions t JOIN work_items w ON w.id = t.work_item_id "
                "ORDER BY w.key, t.transitioned_at, t.external_id"
            )
        ).all()
    assert set(rows) == {w.key for w in ds.work_items}
    by_key: dict[str, list[tuple[datetime, str | None, str]]] = {}
    for key, at, from_status, to_status, _seconds in transitions:
        by_key.setdefault(key, []).append((at, from_status, to_status))
    for item in ds.work_items:
        row = rows[item.key]
        assert (row.issue_type, row.status, row.priority, row.parent_key) == (
            item.issue_type, item.status, item.priority, item.parent_key
        )  # fmt: skip
        assert row.opened_at == item.created and row.resolved_at == item.resolved
        assert (float(row.story_points) if row.story_points is not None else None) == item.story_points
        assert row.team == ds.team(item.team).name
        assert by_key.get(item.key, []) == [(at, old, new) for at, old, new in item.transitions]
    first = next(t for t in transitions if t[0] == ds.work_items[0].key)
    assert first[4] == int((first[1] - ds.work_items[0].created).total_seconds())


def test_custom_fields_are_discovered_by_name_not_hard_coded(clean_engine: Engine, tenant: int) -> None:
    spec = DatasetSpec(
        anchor=SMALL.anchor,
        repos=1,
        teams=1,
        prs_per_repo=5,
        work_items_per_project=30,
        history_days=60,
        story_points_field="customfield_12345",
        team_field="customfield_777",
    )
    with start_simulator(SimConfig(dataset=spec)) as sim:
        integration = make_integration(clean_engine, tenant, "jira", sim.base_url, jira_settings())
        sync(clean_engine, integration)
        expected = sum(1 for w in sim.app.dataset.work_items if w.story_points is not None)
    with clean_engine.connect() as conn:
        with_points = conn.execute(text("SELECT count(*) FROM work_items WHERE story_points IS NOT NULL")).scalar()
        teams = conn.execute(text("SELECT count(*) FROM work_items WHERE team IS NULL")).scalar()
    assert with_points == expected > 0
    assert teams == 0


def test_incremental_sync_asks_for_updates_since_the_cursor_in_the_users_time_zone(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "jira", sim.base_url, jira_settings())
    sync(clean_engine, integration)
    full_items = sum(sim_stats(sim, reset=True)["by_route"]["GET /rest/api/3/search/jql"].values())
    httpx.post(sim.base_url + "/_sim/advance", json={"hours": 24, "new_work_items_per_project": 2},
               timeout=30).raise_for_status()  # fmt: skip
    ctx = sync(clean_engine, integration)
    searches = sum(sim_stats(sim)["by_route"]["GET /rest/api/3/search/jql"].values())
    assert searches <= full_items
    written = ctx.progress_reports[-1]["counts"]["work_items"]
    assert 0 < written < len(sim.app.dataset.work_items) / 2
    other = make_integration(clean_engine, make_client(clean_engine), "jira", sim.base_url, jira_settings())
    sync(clean_engine, other)
    assert snapshot(clean_engine, integration.id) == snapshot(clean_engine, other.id)


def test_jql_dates_are_written_in_the_jira_users_zone() -> None:
    moment = datetime(2026, 1, 15, 23, 30, 59, tzinfo=UTC)
    assert jql_time(moment, ZoneInfo("Europe/Berlin")) == "2026-01-16 00:30"
    assert jql_time(moment, ZoneInfo("America/New_York")) == "2026-01-15 18:30"


def test_only_named_projects_are_ingested(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    project = sim.app.dataset.projects[0]
    integration = make_integration(
        clean_engine, tenant, "jira", sim.base_url, jira_settings(projects=[project.key.lower()])
    )
    sync(clean_engine, integration)
    with clean_engine.connect() as conn:
        keys = conn.execute(text("SELECT DISTINCT split_part(key, '-', 1) FROM work_items")).scalars().all()
    assert keys == [project.key]


def test_search_by_post_gives_the_same_data_as_by_get(sim: RunningSimulator, clean_engine: Engine) -> None:
    by_get = make_integration(
        clean_engine, make_client(clean_engine), "jira", sim.base_url, jira_settings(page_size=30)
    )
    settings = jira_settings(page_size=30, search_method="POST")
    by_post = make_integration(clean_engine, make_client(clean_engine), "jira", sim.base_url, settings)
    sync(clean_engine, by_get)
    sim_stats(sim, reset=True)
    sync(clean_engine, by_post)
    assert sum(sim_stats(sim)["by_route"]["POST /rest/api/3/search/jql"].values()) >= 3
    assert snapshot(clean_engine, by_post.id) == snapshot(clean_engine, by_get.id)


def test_an_unchanged_resync_costs_one_search_and_refreshes_catalogues_when_due(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = make_integration(clean_engine, tenant, "jira", sim.base_url, jira_settings())
    sync(clean_engine, integration)
    before = snapshot(clean_engine, integration.id)
    sim_stats(sim, reset=True)
    sync(clean_engine, integration)
    routes = sim_stats(sim, reset=True)["by_route"]
    assert set(routes) <= {"GET /rest/api/3/search/jql", "GET /rest/api/3/issue/{key}/changelog"}
    assert sum(routes["GET /rest/api/3/search/jql"].values()) == 1
    assert snapshot(clean_engine, integration.id) == before
    stale = make_integration(
        clean_engine, make_client(clean_engine), "jira", sim.base_url, jira_settings(catalogue_refresh_hours=0)
    )
    sync(clean_engine, stale)
    sim_stats(sim, reset=True)
    sync(clean_engine, stale)
    assert "GET /rest/api/3/field" in sim_stats(sim)["by_route"]


def test_pull_requests_link_to_the_work_items_their_branch_title_or_body_name(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    jira = make_integration(clean_engine, tenant, "jira", sim.base_url, jira_settings())
    sync(clean_engine, jira)  # Jira first: the GitHub sync makes the links
    github = make_integration(clean_engine, tenant, "github", sim.base_url, {"organization": SMALL.org})
    GitHubConnector().sync(DirectContext(clean_engine, github))
    ds = sim.app.dataset
    keys = {w.key for w in ds.work_items}
    expected = {(r.name, p.number, k) for r in ds.repositories for p in r.pulls for k in p.jira_keys if k in keys}
    with clean_engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT DISTINCT r.name, p.number, w.key FROM work_item_pull_request_links l "
                "JOIN pull_requests p ON p.id = l.pull_request_id JOIN repositories r ON r.id = p.repository_id "
                "JOIN work_items w ON w.id = l.work_item_id WHERE l.active"
            )
        ).all()
        places = set(conn.execute(text("SELECT DISTINCT found_in FROM work_item_pull_request_links")).scalars())
    assert expected and set(map(tuple, found)) == expected
    assert "branch" in places
