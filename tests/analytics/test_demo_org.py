"""The simulator's organisation, synced for real, gives the DORA numbers an independent computation gives.

The expected values are computed here from the simulator's dataset objects (its ground truth: the git graph,
the deployment statuses, the incidents), not from anything Pulse stored; the actual values come through the
ETL Service's API after real GitHub and Jira syncs against the simulator on loopback.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from pulse.analytics.refresh import refresh_tenant
from pulse.core.db.engine import unit_of_work
from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.jira.connector import JiraConnector
from pulse.sim import truth
from pulse.sim.gen_github import successful_production
from pulse.sim.model import Issue, WorkItem
from pulse.sim.server import RunningSimulator
from tests.analytics.datasets import dora_over_http, repository_ids, sim_teams
from tests.connectors.conftest import github_settings, jira_settings, make_integration, sim  # noqa: F401
from tests.connectors.context import DirectContext
from tests.etl.conftest import Tenant
from tests.servers import ThreadServer

FROM, TO = date(2026, 1, 1), date(2026, 6, 30)
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 7, 1, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (what percentile_cont computes)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def opened(incident: Issue | WorkItem) -> datetime:
    return incident.created_at if isinstance(incident, Issue) else incident.created


def resolved(incident: Issue | WorkItem) -> datetime | None:
    if isinstance(incident, Issue):
        return incident.closed_at if incident.state == "closed" else None
    return incident.resolved


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def incident_repos(ds: Any, incident: Issue | WorkItem) -> set[str]:
    """A GitHub incident's repository; a Jira incident's team's repositories."""
    if isinstance(incident, Issue):
        return {incident.repo}
    return {r.full_name for r in ds.repositories if r.team == incident.team}


def expected_dora(ds: Any, repos: set[str] | None = None) -> dict[str, Any]:
    """DORA for the period from the dataset alone (optionally for some repositories)."""
    chosen = [r for r in ds.repositories if repos is None or r.full_name in repos]
    deployments = [d for r in chosen for d in successful_production(r.deployments) if START <= d.finished_at < END]
    ids = {d.id for d in deployments}
    lead_times = []
    for repo in chosen:
        for dep_id, prs in truth.shipped_changes(repo).items():
            if dep_id in ids:
                dep = next(d for d in repo.deployments if d.id == dep_id)
                lead_times += [truth.lead_time_hours(pr, dep) for pr in prs]
    failed: set[int] = set()
    recovery = []
    restore = []
    for incident in ds.incidents():
        dep = truth.attributed_deployment(ds, incident)
        end = resolved(incident)
        if dep is not None and dep.id in ids:
            failed.add(dep.id)
            if end is not None:
                recovery.append(hours(end - dep.finished_at))
        if incident_repos(ds, incident) & {r.full_name for r in chosen}:
            if START <= opened(incident) < END and end is not None:
                restore.append(hours(end - opened(incident)))
    return {
        "deployments": len(deployments),
        "deployment_days": len({d.finished_at.date() for d in deployments}),
        "changes": len(lead_times),
        "lead": [percentile(lead_times, q) for q in (0.5, 0.75, 0.9)],
        "failed": len(failed),
        "recovery_incidents": len(recovery),
        "recovery": [percentile(recovery, q) for q in (0.5, 0.75, 0.9)],
        "restore_incidents": len(restore),
        "restore": [percentile(restore, q) for q in (0.5, 0.75, 0.9)],
    }


def approx(values: list[float | None]) -> list[Any]:
    return [None if v is None else pytest.approx(v, rel=1e-9, abs=1e-6) for v in values]


def test_demo_organisation_matches_an_independent_computation(
    sim: RunningSimulator,  # noqa: F811
    etl_server: ThreadServer,
    clean_engine: Engine,
    tenant: Tenant,
    tokens: dict[str, str],
) -> None:
    ds = sim.app.dataset
    github = make_integration(clean_engine, tenant.client_id, "github", sim.base_url, github_settings())
    jira = make_integration(clean_engine, tenant.client_id, "jira", sim.base_url, jira_settings())
    GitHubConnector().sync(DirectContext(clean_engine, github))
    JiraConnector().sync(DirectContext(clean_engine, jira))
    repo_ids = repository_ids(clean_engine, tenant.client_id)
    with unit_of_work(clean_engine) as db_session:
        teams = sim_teams(db_session, tenant.client_id, ds, repo_ids)
        refresh_tenant(db_session=db_session, client_id=tenant.client_id)

    def check(params: dict[str, Any], want: dict[str, Any]) -> None:
        got = dora_over_http(etl_server.base_url, tokens["view"], FROM, TO, params)
        assert got["deployment_frequency"]["deployments"] == want["deployments"]
        assert got["deployment_frequency"]["deployment_days"] == want["deployment_days"]
        lt = got["lead_time_for_changes"]
        assert lt["changes"] == want["changes"]
        assert [lt["median_hours"], lt["p75_hours"], lt["p90_hours"]] == approx(want["lead"])
        assert got["change_failure_rate"]["failed_deployments"] == want["failed"]
        rec = got["failed_deployment_recovery_time"]
        assert rec["incidents"] == want["recovery_incidents"]
        assert [rec["median_hours"], rec["p75_hours"], rec["p90_hours"]] == approx(want["recovery"])
        ttr = got["time_to_restore"]
        assert ttr["incidents"] == want["restore_incidents"]
        assert [ttr["median_hours"], ttr["p75_hours"], ttr["p90_hours"]] == approx(want["restore"])

    everyone = expected_dora(ds)
    assert everyone["deployments"] > 0 and everyone["changes"] > 0 and everyone["failed"] > 0
    check({}, everyone)
    for team in ds.teams[:2]:
        team_repos = {r.full_name for r in ds.repositories if r.team == team.slug}
        check({"team_id": teams[team.slug]}, expected_dora(ds, team_repos))
