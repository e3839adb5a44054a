"""Faults, kills, tenants and bad records: the final data is the same whatever happens on the way."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from pulse.etl.connectors.base.interface import Connector, IntegrationConfig
from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.jira.connector import JiraConnector
from pulse.sim.config import SimConfig
from pulse.sim.server import RunningSimulator, start_simulator
from tests.connectors.conftest import SMALL, github_settings, jira_settings, make_integration, sim_config, sim_stats
from tests.connectors.context import DirectContext, Killed
from tests.connectors.snapshot import snapshot
from tests.factories import make_client

CONNECTORS: dict[str, Connector] = {"github": GitHubConnector(), "jira": JiraConnector()}


def sync(engine: Engine, integration: IntegrationConfig, **kwargs: Any) -> DirectContext:
    ctx = DirectContext(engine, integration, **kwargs)
    CONNECTORS[integration.type].sync(ctx)
    return ctx


def both(engine: Engine, client_id: int, base_url: str, **extra: Any) -> list[IntegrationConfig]:
    return [
        make_integration(engine, client_id, "github", base_url, github_settings(page_size=10, **extra)),
        make_integration(engine, client_id, "jira", base_url, jira_settings(page_size=25, **extra)),
    ]


def test_faults_give_the_same_final_data_as_a_clean_run(sim: RunningSimulator, clean_engine: Engine) -> None:
    clean = both(clean_engine, make_client(clean_engine), sim.base_url)
    for integration in clean:
        sync(clean_engine, integration)
    with start_simulator(SimConfig(dataset=SMALL)) as faulty:
        sim_config(
            faulty,
            fault_seed=3,
            error_rate=0.1,
            drop_connection_rate=0.02,
            secondary_limit_every=40,
            secondary_retry_after=1,
            rate_limit={"limit": 200, "window_seconds": 1},
        )
        noisy = both(clean_engine, make_client(clean_engine), faulty.base_url)
        contexts = [sync(clean_engine, integration) for integration in noisy]
        stats = sim_stats(faulty)
    assert stats["faults"].get("error_500", 0) + stats["faults"].get("error_502", 0) > 10
    assert stats["faults"].get("secondary", 0) > 0
    # The 200-request windows ran out: the GitHub sync waited for resets instead of failing.
    assert contexts[0].progress_reports[-1]["counts"]["rate_limit_waits"] > 0
    assert stats["faults"].get("drop", 0) > 0
    for quiet, loud in zip(clean, noisy, strict=True):
        assert snapshot(clean_engine, loud.id) == snapshot(clean_engine, quiet.id), loud.type


def test_rate_limit_exhaustion_waits_for_the_reset_instead_of_failing(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, rate_limit={"limit": 5000, "window_seconds": 2}, exhaust_rate_limit_now=True)
    integration = make_integration(clean_engine, tenant, "github", sim.base_url, github_settings())
    ctx = sync(clean_engine, integration)
    assert any(0.5 <= s <= 3.5 for s in ctx.slept)
    assert sim_stats(sim)["faults"].get("rate_limited", 0) <= 1
    with clean_engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM pull_requests")).scalar()
    assert total == sum(len(r.pulls) for r in sim.app.dataset.repositories)


@pytest.mark.parametrize("kind", ["github", "jira"])
@pytest.mark.parametrize("kill_after", [3, 9])
def test_a_sync_killed_mid_run_and_resumed_gives_identical_rows(
    sim: RunningSimulator, clean_engine: Engine, kind: str, kill_after: int
) -> None:
    settings = github_settings(page_size=10) if kind == "github" else jira_settings(page_size=10)
    reference = make_integration(clean_engine, make_client(clean_engine), kind, sim.base_url, settings)
    sync(clean_engine, reference)
    killed = make_integration(clean_engine, make_client(clean_engine), kind, sim.base_url, settings)
    with pytest.raises(Killed):
        sync(clean_engine, killed, kill_after_commits=kill_after)
    partial = snapshot(clean_engine, killed.id)
    assert partial != snapshot(clean_engine, reference.id)
    sync(clean_engine, killed)
    assert snapshot(clean_engine, killed.id) == snapshot(clean_engine, reference.id)


def test_tenant_a_sync_never_writes_or_reads_tenant_b_rows(sim: RunningSimulator, clean_engine: Engine) -> None:
    tenant_b = make_client(clean_engine)
    b_integrations = both(clean_engine, tenant_b, sim.base_url)
    for integration in b_integrations:
        sync(clean_engine, integration)
    b_before = {i.id: snapshot(clean_engine, i.id) for i in b_integrations}
    sim_stats(sim, reset=True)
    tenant_a = make_client(clean_engine)
    a_integrations = both(clean_engine, tenant_a, sim.base_url)
    for integration in a_integrations:
        sync(clean_engine, integration)
    # A's first sync did not reuse B's ETags: nothing was answered 304, everything was fetched.
    assert sim_stats(sim)["not_modified"] == 0
    for a, b in zip(a_integrations, b_integrations, strict=True):
        assert snapshot(clean_engine, a.id) == b_before[b.id]
        assert snapshot(clean_engine, b.id) == b_before[b.id]
    with clean_engine.connect() as conn:
        tables = ["pull_requests", "work_items", "deployments", "work_item_pull_request_links", "http_cache"]
        for table in tables:
            mixed = conn.execute(
                text(
                    f"SELECT count(*) FROM {table} t JOIN integrations i ON i.id = t.integration_id "
                    "WHERE i.client_id <> t.client_id"
                )
            ).scalar()
            assert mixed == 0, table
        links = conn.execute(
            text(
                "SELECT count(*) FROM work_item_pull_request_links l JOIN work_items w ON w.id = l.work_item_id "
                "JOIN pull_requests p ON p.id = l.pull_request_id WHERE w.client_id <> p.client_id"
            )
        ).scalar()
        assert links == 0
        per_tenant = dict(
            conn.execute(text("SELECT client_id, count(*) FROM work_item_pull_request_links GROUP BY client_id")).all()
        )
    assert per_tenant[tenant_a] == per_tenant[tenant_b] > 0


def test_malformed_records_are_skipped_reported_and_the_rest_is_kept(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    ds = sim.app.dataset
    bad_pr = next(p for r in ds.repositories for p in r.pulls if p.merged_at is None)
    bad_pr.state = "reticulating"  # no such pull request state
    bad_item = ds.work_items[7]
    bad_item.created = None  # type: ignore[assignment]
    ds.touch()
    github, jira = both(clean_engine, tenant, sim.base_url)
    gh_ctx = sync(clean_engine, github)
    jira_ctx = sync(clean_engine, jira)
    assert gh_ctx.progress_reports[-1]["counts"]["skipped"] == 1
    assert jira_ctx.progress_reports[-1]["counts"]["skipped"] == 1
    assert any(str(bad_pr.id) in message and level == "warning" for level, message, _ in gh_ctx.logs)
    assert any(str(bad_item.id) in message or bad_item.key in message for _, message, _ in jira_ctx.logs)
    with clean_engine.connect() as conn:
        prs = conn.execute(text("SELECT count(*) FROM pull_requests")).scalar()
        items = conn.execute(text("SELECT key FROM work_items")).scalars().all()
    assert prs == sum(len(r.pulls) for r in ds.repositories) - 1
    assert len(items) == len(ds.work_items) - 1
    assert bad_item.key not in items


def test_test_connection_tells_good_from_bad_credentials(sim: RunningSimulator) -> None:
    def config(kind: str, creds: dict[str, str]) -> IntegrationConfig:
        return IntegrationConfig(id=1, client_id=1, type=kind, name=kind, base_url=sim.base_url, credentials=creds,
                                 settings={})  # fmt: skip

    ok, message = GitHubConnector().test_connection(config("github", {"token": "sim-github-token"}))
    assert ok and "pulse-sim" in message
    ok, message = GitHubConnector().test_connection(config("github", {"token": "wrong"}))
    assert not ok and "401" in message and "wrong" not in message
    good = {"email": "sim@example.com", "api_token": "sim-jira-token"}
    assert JiraConnector().test_connection(config("jira", good))[0]
    ok, message = JiraConnector().test_connection(config("jira", {**good, "api_token": "nope"}))
    assert not ok and "401" in message
    unreachable = IntegrationConfig(id=1, client_id=1, type="github", name="g", base_url="http://127.0.0.1:9",
                                    credentials={"token": "x"}, settings={})  # fmt: skip
    ok, message = GitHubConnector().test_connection(unreachable)
    assert not ok and "unreachable" in message
