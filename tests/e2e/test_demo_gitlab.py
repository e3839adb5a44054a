"""The demo's GitLab group: synced beside GitHub and Jira, in a team that spans both hosts, on the dashboards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_demo_gitlab_group_is_synced_and_counted_with_github(pulse_stack: Stack) -> None:
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=90)), "to": str(today)}
    with pulse_stack.api("admin") as api:
        integrations = {i["type"]: i for i in api.get("/api/v1/integrations").json()["items"]}
        assert integrations["gitlab"]["last_sync"]["status"] == "FINISHED"
        repos = api.get("/api/v1/repositories", params={"limit": 500}).json()["items"]
        projects = [r for r in repos if r["full_name"].startswith("acme-gl/")]
        assert len(projects) >= 2 and all(r["full_name"].count("/") == 2 for r in projects)  # group/subgroup/project
        teams = api.get("/api/v1/settings/teams").json()["items"]
        gitlab_ids = {r["id"] for r in projects}
        spanning = [t for t in teams if gitlab_ids & set(t["repository_ids"]) and set(t["repository_ids"]) - gitlab_ids]
        assert spanning, "a demo team spans a GitHub repository and a GitLab project"
        project = projects[0]
        dora = api.get("/api/v1/metrics/dora", params={**period, "repository_id": project["id"]}).json()
        assert dora["deployment_frequency"]["deployments"] > 0
        assert dora["lead_time_for_changes"]["changes"] > 0
        team = api.get("/api/v1/metrics/dora", params={**period, "team_id": spanning[0]["id"]}).json()
        assert team["deployment_frequency"]["deployments"] > dora["deployment_frequency"]["deployments"]
