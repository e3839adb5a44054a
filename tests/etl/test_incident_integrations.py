"""PagerDuty and Opsgenie integrations over the API: service mappings validated strictly, test-connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.sim.config import DEFAULT_OPSGENIE_KEY, DEFAULT_PAGERDUTY_TOKEN, SimConfig
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import RunningSimulator, start_simulator
from tests.etl.conftest import API, bearer, make_tenant
from tests.factories import make_client
from tests.servers import ThreadServer


@pytest.fixture
def admin(etl_server: ThreadServer, tokens: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["admin"]), timeout=30)


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    running = start_simulator(SimConfig(dataset=DatasetSpec(repos=1, teams=1, prs_per_repo=5, history_days=30)))
    yield running
    running.stop()


def repository(engine: Engine, client_id: int, name: str = "acme/api") -> int:
    """A repository row of the tenant (under a GitHub integration)."""
    with engine.begin() as conn:
        integration = conn.execute(
            text("INSERT INTO integrations (client_id, type, name, base_url) VALUES (:c, 'github', 'G', 'http://x') "
                 "RETURNING id"), {"c": client_id},
        ).scalar_one()  # fmt: skip
        return int(
            conn.execute(
                text(
                    "INSERT INTO repositories (client_id, integration_id, external_id, full_name, owner, name) "
                    "VALUES (:c, :i, :n, :n, 'acme', 'api') RETURNING id"
                ),
                {"c": client_id, "i": integration, "n": name},
            ).scalar_one()
        )


def pagerduty(mappings: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "type": "pagerduty",
        "name": "PagerDuty",
        "base_url": "https://api.pagerduty.com",
        "credentials": {"token": "u+secret"},
        "settings": {"service_mappings": mappings},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("mappings", "field"),
    [
        ({"PAPI": [1]}, "settings.service_mappings"),
        (["PAPI"], "settings.service_mappings[0]"),
        ([{"service": "", "repository_ids": [1]}], "settings.service_mappings[0].service"),
        ([{"service": "A", "repository_ids": ["1"]}], "settings.service_mappings[0].repository_ids"),
        ([{"service": "A", "repository_ids": [0]}], "settings.service_mappings[0].repository_ids"),
        ([{"service": "A", "team_ids": [True]}], "settings.service_mappings[0].team_ids"),
        ([{"service": "A"}], "settings.service_mappings[0].repository_ids"),
        ([{"service": "A", "repos": [1]}], "settings.service_mappings[0].repos"),
        ([{"service": "A", "team_ids": [1, 1]}], "settings.service_mappings[0].team_ids"),
        (
            [{"service": "A", "team_ids": [1]}, {"service": "a", "team_ids": [2]}],
            "settings.service_mappings[1].service",
        ),
    ],
)
def test_bad_service_mappings_are_422_naming_the_field(
    admin: httpx.Client, clean_engine: Engine, mappings: Any, field: str
) -> None:
    response = admin.post("/integrations", json=pagerduty(mappings))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM integrations WHERE type = 'pagerduty'")).scalar_one() == 0


def test_mappings_name_only_the_tenants_repositories_and_teams(
    admin: httpx.Client, clean_engine: Engine, tenant: Any
) -> None:
    own = repository(clean_engine, tenant.client_id)
    foreign = repository(clean_engine, make_client(clean_engine), "globex/api")
    created = admin.post("/integrations", json=pagerduty([{"service": "PAPI", "repository_ids": [own]}]))
    assert created.status_code == 201, created.text
    integration_id = created.json()["id"]
    response = admin.patch(
        f"/integrations/{integration_id}",
        json={"settings": {"service_mappings": [{"service": "PAPI", "repository_ids": [own, foreign]}]}},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "settings.service_mappings[0].repository_ids"
    assert admin.get(f"/integrations/{integration_id}").json()["settings"]["service_mappings"][0]["repository_ids"] == [
        own
    ]
    bad_team = admin.post("/integrations", json=pagerduty([{"service": "X", "team_ids": [999_999]}]))
    assert bad_team.json()["error"]["field"] == "settings.service_mappings[0].team_ids"
    missing = admin.post("/integrations", json=pagerduty([], credentials={}))
    assert missing.json()["error"]["field"] == "credentials.token"


def test_test_connection_reaches_the_simulated_tools(admin: httpx.Client, sim: RunningSimulator) -> None:
    body = pagerduty([], base_url=sim.base_url + "/pagerduty", credentials={"token": DEFAULT_PAGERDUTY_TOKEN})
    answer = admin.post("/integrations/test", json=body).json()
    assert answer["ok"] is True and "services visible" in answer["message"]
    body["credentials"] = {"token": "wrong"}
    assert admin.post("/integrations/test", json=body).json()["ok"] is False
    opsgenie = {
        "type": "opsgenie",
        "name": "Opsgenie",
        "base_url": sim.base_url + "/opsgenie",
        "credentials": {"api_key": DEFAULT_OPSGENIE_KEY},
        "settings": {},
    }
    assert admin.post("/integrations/test", json=opsgenie).json()["ok"] is True
    assert admin.post("/integrations/test", json={**opsgenie, "credentials": {}}).json()["error"]["field"] == (
        "credentials.api_key"
    )


def test_another_tenant_cannot_reach_the_integration(
    admin: httpx.Client, etl_server: ThreadServer, clean_engine: Engine, settings: Any, backend_process: Any
) -> None:
    from tests.etl.conftest import login

    integration_id = admin.post("/integrations", json=pagerduty([])).json()["id"]
    other = make_tenant(clean_engine, settings, "globex")
    token = login(backend_process.base_url, other.emails["admin"])
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(token)) as intruder:
        assert intruder.get(f"/integrations/{integration_id}").status_code == 404
