"""GitHub + PagerDuty synced for real from the simulator: DORA equals an independent computation from its truth.

Each PagerDuty service is mapped to the repository it runs; the `Office IT` service stays unmapped, so its
incidents count in the tenant's time to restore and nowhere else.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine

from pulse.analytics.refresh import refresh_tenant
from pulse.core.db.engine import unit_of_work
from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.pagerduty.connector import PagerDutyConnector
from pulse.sim import truth
from pulse.sim.gen_github import successful_production
from pulse.sim.gen_incident_tools import incidents as tool_incidents
from pulse.sim.model import Issue
from pulse.sim.server import RunningSimulator
from tests.analytics.datasets import dora_over_http, repository_ids
from tests.analytics.test_demo_org import END, FROM, START, TO, approx, hours, percentile
from tests.connectors.conftest import github_settings, make_integration, sim  # noqa: F401
from tests.connectors.context import DirectContext
from tests.etl.conftest import API, Tenant, bearer
from tests.servers import ThreadServer


def expected(ds: Any, repos: set[str] | None) -> dict[str, Any]:
    """CFR, recovery and restore from GitHub incident issues and PagerDuty incidents of the dataset."""
    chosen = {r.full_name for r in ds.repositories if repos is None or r.full_name in repos}
    deployments = {
        d.id: d
        for r in ds.repositories
        if r.full_name in chosen
        for d in successful_production(r.deployments)
        if START <= d.finished_at < END
    }
    failed: set[int] = set()
    recovery: list[float] = []
    restore: list[float] = []
    for issue in [i for i in ds.incidents() if isinstance(i, Issue)]:
        dep = truth.attributed_deployment(ds, issue)
        end = issue.closed_at if issue.state == "closed" else None
        if dep is not None and dep.id in deployments:
            failed.add(dep.id)
            if end is not None:
                recovery.append(hours(end - dep.finished_at))
        if issue.repo in chosen and START <= issue.created_at < END and end is not None:
            restore.append(hours(end - issue.created_at))
    for incident in tool_incidents(ds, "pagerduty"):
        end = incident.resolved_at if incident.resolved(ds.now) else None
        if incident.deployment_id in deployments:
            failed.add(incident.deployment_id)
            if end is not None:
                recovery.append(hours(end - deployments[incident.deployment_id].finished_at))
        in_scope = repos is None or incident.service.repo in chosen
        if in_scope and START <= incident.opened_at < END and end is not None:
            restore.append(hours(end - incident.opened_at))
    return {
        "deployments": len(deployments),
        "failed": len(failed),
        "recovery": (len(recovery), [percentile(recovery, q) for q in (0.5, 0.75, 0.9)]),
        "restore": (len(restore), [percentile(restore, q) for q in (0.5, 0.75, 0.9)]),
    }


def test_github_and_pagerduty_tenant_matches_the_simulators_truth(
    sim: RunningSimulator,  # noqa: F811
    etl_server: ThreadServer,
    clean_engine: Engine,
    tenant: Tenant,
    tokens: dict[str, str],
) -> None:
    ds = sim.app.dataset
    github = make_integration(clean_engine, tenant.client_id, "github", sim.base_url, github_settings())
    GitHubConnector().sync(DirectContext(clean_engine, github))
    repo_ids = repository_ids(clean_engine, tenant.client_id)
    mappings = [{"service": r.name, "repository_ids": [repo_ids[r.full_name]]} for r in ds.repositories]
    settings = {"retry_backoff_seconds": 0.01, "service_mappings": mappings}
    pagerduty = make_integration(clean_engine, tenant.client_id, "pagerduty", sim.base_url + "/pagerduty", settings)
    PagerDutyConnector().sync(DirectContext(clean_engine, pagerduty))
    with unit_of_work(clean_engine) as db_session:
        refresh_tenant(db_session=db_session, client_id=tenant.client_id)

    def check(params: dict[str, Any], want: dict[str, Any]) -> None:
        got = dora_over_http(etl_server.base_url, tokens["view"], FROM, TO, params)
        assert got["change_failure_rate"]["deployments"] == want["deployments"]
        assert got["change_failure_rate"]["failed_deployments"] == want["failed"]
        rec, ttr = got["failed_deployment_recovery_time"], got["time_to_restore"]
        assert (rec["incidents"], [rec["median_hours"], rec["p75_hours"], rec["p90_hours"]]) == (
            want["recovery"][0], approx(want["recovery"][1]),
        )  # fmt: skip
        assert (ttr["incidents"], [ttr["median_hours"], ttr["p75_hours"], ttr["p90_hours"]]) == (
            want["restore"][0], approx(want["restore"][1]),
        )  # fmt: skip

    everyone = expected(ds, None)
    github_only = [truth.attributed_deployment(ds, i) for i in ds.incidents() if isinstance(i, Issue)]
    github_failed = {d.id for d in github_only if d is not None and START <= d.finished_at < END}
    assert everyone["failed"] > len(github_failed), "PagerDuty incidents add failed deployments"
    check({}, everyone)
    first = ds.repositories[0].full_name
    check({"repository_id": repo_ids[first]}, expected(ds, {first}))
    listed = httpx.get(
        etl_server.base_url + API + "/incidents",
        params={"source": "pagerduty", "limit": 500},
        headers=bearer(tokens["view"]),
        timeout=30,
    ).json()
    assert listed["total"] == len(tool_incidents(ds, "pagerduty"))
    assert {i["key"] for i in listed["items"]} == {f"PD-{i.number}" for i in tool_incidents(ds, "pagerduty")}
