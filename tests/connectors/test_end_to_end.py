"""The connectors through the real job machinery: API-created integrations, `pulse worker`, the read-back routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.sim.config import DEFAULT_GITHUB_TOKEN, DEFAULT_JIRA_EMAIL, DEFAULT_JIRA_TOKEN
from pulse.sim.server import RunningSimulator
from tests.connectors.conftest import github_settings, make_integration, sim_config
from tests.connectors.context import DirectContext
from tests.connectors.snapshot import snapshot
from tests.etl.conftest import (  # noqa: F401  (fixtures)
    API,
    Tenant,
    backend_process,
    bearer,
    etl_server,
    etl_settings,
    login,
    make_tenant,
    tenant,
    tokens,
    wait_status,
    wait_until,
    workers,
)
from tests.factories import make_client
from tests.servers import PulseProcess, ThreadServer

Workers = Callable[..., PulseProcess]


def create(server: ThreadServer, token: str, body: dict[str, Any]) -> int:
    response = httpx.post(server.base_url + API + "/integrations", json=body, headers=bearer(token), timeout=10)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def sync_and_wait(server: ThreadServer, engine: Engine, token: str, integration_id: int) -> None:
    response = httpx.post(
        f"{server.base_url}{API}/integrations/{integration_id}/sync", headers=bearer(token), timeout=10
    )
    assert response.status_code == 202, response.text
    run = wait_status(engine, response.json()["job_run_id"], "FINISHED", "FAILED", timeout=120)
    assert run.status == "FINISHED", run.error


def get(server: ThreadServer, token: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(server.base_url + API + path, params=params, headers=bearer(token), timeout=10)


def test_api_created_integrations_sync_in_a_worker_and_read_back_through_the_data_routes(
    sim: RunningSimulator,
    etl_server: ThreadServer,  # noqa: F811
    clean_engine: Engine,
    settings: Settings,
    tenant: Tenant,  # noqa: F811
    tokens: dict[str, str],  # noqa: F811
    workers: Workers,  # noqa: F811
    backend_process: PulseProcess,  # noqa: F811
) -> None:
    github = create(etl_server, tokens["admin"], {
        "type": "github", "name": "GitHub", "base_url": sim.base_url, "credentials": {"token": DEFAULT_GITHUB_TOKEN},
        "settings": github_settings(),
    })  # fmt: skip
    jira = create(etl_server, tokens["admin"], {
        "type": "jira", "name": "Jira", "base_url": sim.base_url,
        "credentials": {"email": DEFAULT_JIRA_EMAIL, "api_token": DEFAULT_JIRA_TOKEN},
        "settings": {"retry_backoff_seconds": 0.01},
    })  # fmt: skip
    workers()
    sync_and_wait(etl_server, clean_engine, tokens["admin"], github)
    sync_and_wait(etl_server, clean_engine, tokens["admin"], jira)
    ds = sim.app.dataset
    viewer = tokens["view"]

    repos = get(etl_server, viewer, "/repositories").json()
    assert repos["total"] == len(ds.repositories)
    repo_id = next(r["id"] for r in repos["items"] if r["full_name"] == ds.repositories[0].full_name)

    merged = get(etl_server, viewer, "/pull-requests", repository_id=repo_id, state="merged", limit=5)
    assert merged.status_code == 200
    expected = sum(1 for p in ds.repositories[0].pulls if p.merged_at)
    assert merged.json()["total"] == expected and len(merged.json()["items"]) == min(5, expected)
    assert all(item["state"] == "merged" for item in merged.json()["items"])
    bad = get(etl_server, viewer, "/pull-requests", state="reticulating")
    assert bad.status_code == 422 and "state" in bad.text

    production = get(
        etl_server, viewer, "/deployments", environment="Production", source="deployment", limit=500
    ).json()
    assert production["total"] == sum(
        1 for r in ds.repositories for d in r.deployments if d.environment == "production"
    )
    assert {"environment", "repository_id", "sha", "status", "finished_at"} <= set(production["items"][0])
    every = get(etl_server, viewer, "/deployments", source="deployment", limit=1).json()
    assert every["total"] == sum(len(r.deployments) for r in ds.repositories)

    key = ds.projects[0].key
    items = get(etl_server, viewer, "/work-items", project=key.lower(), offset=3, limit=4).json()
    assert items["total"] == sum(1 for w in ds.work_items if w.project == key)
    assert len(items["items"]) == 4 and all(i["project_key"] == key for i in items["items"])

    # Another tenant sees none of it.
    other = make_tenant(clean_engine, settings, "globex")
    other_token = login(backend_process.base_url, other.emails["view"])  # type: ignore[attr-defined]
    for path in ("/repositories", "/pull-requests", "/deployments", "/work-items"):
        assert get(etl_server, other_token, path).json() == {"items": [], "total": 0}
    assert get(etl_server, "not-a-token", "/repositories").status_code == 401


def test_a_worker_killed_mid_sync_is_recovered_and_the_rows_are_identical(
    sim: RunningSimulator,
    etl_server: ThreadServer,  # noqa: F811
    clean_engine: Engine,
    tenant: Tenant,  # noqa: F811
    tokens: dict[str, str],  # noqa: F811
    workers: Workers,  # noqa: F811
) -> None:
    reference = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    GitHubConnector().sync(DirectContext(clean_engine, reference))
    sim_config(sim, latency_ms=15)
    integration_id = create(etl_server, tokens["admin"], {
        "type": "github", "name": "GitHub", "base_url": sim.base_url, "credentials": {"token": DEFAULT_GITHUB_TOKEN},
        "settings": github_settings(page_size=5),
    })  # fmt: skip
    doomed = workers()
    response = httpx.post(
        f"{etl_server.base_url}{API}/integrations/{integration_id}/sync", headers=bearer(tokens["admin"]), timeout=10
    )
    job_run_id = response.json()["job_run_id"]

    def pulls_written() -> int:
        with clean_engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM pull_requests WHERE integration_id = :i"), {"i": integration_id}
                ).scalar_one()
            )

    wait_until(lambda: pulls_written() >= 10, timeout=60, what="first pull requests")
    doomed.kill()
    assert pulls_written() < sum(len(r.pulls) for r in sim.app.dataset.repositories)
    sim_config(sim, latency_ms=0)
    workers()
    run = wait_status(clean_engine, job_run_id, "FINISHED", "FAILED", timeout=120)
    assert run.status == "FINISHED", run.error
    assert run.attempt >= 2
    assert snapshot(clean_engine, integration_id) == snapshot(clean_engine, reference.id)


def test_a_worker_sync_through_faults_and_rate_limits_equals_a_clean_sync(
    sim: RunningSimulator,
    etl_server: ThreadServer,  # noqa: F811
    clean_engine: Engine,
    tenant: Tenant,  # noqa: F811
    tokens: dict[str, str],  # noqa: F811
    workers: Workers,  # noqa: F811
) -> None:
    reference = make_integration(clean_engine, make_client(clean_engine), "github", sim.base_url, github_settings())
    GitHubConnector().sync(DirectContext(clean_engine, reference))
    sim_config(sim, fault_seed=11, error_rate=0.1, drop_connection_rate=0.02, secondary_limit_every=30,
               secondary_retry_after=1, rate_limit={"limit": 120, "window_seconds": 1})  # fmt: skip
    integration_id = create(etl_server, tokens["admin"], {
        "type": "github", "name": "GitHub", "base_url": sim.base_url, "credentials": {"token": DEFAULT_GITHUB_TOKEN},
        "settings": github_settings(page_size=10),
    })  # fmt: skip
    workers()
    sync_and_wait(etl_server, clean_engine, tokens["admin"], integration_id)
    faults = httpx.get(sim.base_url + "/_sim/stats", timeout=10).json()["faults"]
    assert faults.get("error_500", 0) + faults.get("error_502", 0) > 0
    assert faults.get("secondary", 0) > 0 and faults.get("drop", 0) > 0
    with clean_engine.connect() as conn:
        fields = conn.execute(
            text(
                "SELECT e.fields FROM job_events e JOIN job_runs r ON r.id = e.job_run_id "
                "WHERE r.integration_id = :i AND e.message LIKE 'synced %'"
            ),
            {"i": integration_id},
        ).scalar_one()
    # The budget ran out many times; the connector waited for each reset (through the worker's sleep).
    assert fields["rate_limit_waits"] > 5 and fields["retries"] > 0
    assert snapshot(clean_engine, integration_id) == snapshot(clean_engine, reference.id)
