"""The simulated PagerDuty and Opsgenie APIs: auth, paging, filters, rate limits, faults, evolution, truth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from pulse.sim.config import SimConfig
from pulse.sim.dataset import Dataset
from pulse.sim.gen_github import successful_production
from pulse.sim.gen_incident_tools import incidents, services
from pulse.sim.server import RunningSimulator, start_simulator
from tests.sim.conftest import SMALL, configure


@pytest.fixture
def pd(sim: RunningSimulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Token token=sim-pagerduty-token", "Accept": "application/vnd.pagerduty+json;version=2"}
    with httpx.Client(base_url=sim.base_url + "/pagerduty", headers=headers) as client:
        yield client


@pytest.fixture
def og(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url + "/opsgenie", headers={"Authorization": "GenieKey sim-opsgenie-key"}) as c:
        yield c


def test_credentials_are_checked_in_each_tools_own_scheme(sim: RunningSimulator) -> None:
    base = sim.base_url
    assert httpx.get(base + "/pagerduty/services", headers={"Authorization": "Token token=nope"}).status_code == 401
    wrong_scheme = httpx.get(base + "/pagerduty/services", headers={"Authorization": "Bearer sim-pagerduty-token"})
    assert wrong_scheme.status_code == 401 and wrong_scheme.json()["error"]["code"] == 2006
    denied = httpx.get(base + "/opsgenie/v1/services", headers={"Authorization": "GenieKey sim-pagerduty-token"})
    assert denied.status_code == 401 and "requestId" in denied.json()


def test_pagerduty_pages_by_offset_until_more_is_false(pd: httpx.Client, ds: Dataset) -> None:
    every = incidents(ds, "pagerduty")
    seen: list[str] = []
    offset = 0
    while True:
        page = pd.get("/incidents", params={"date_range": "all", "limit": 7, "offset": offset, "total": "true"}).json()
        assert page["total"] == len(every) and page["limit"] == 7
        seen.extend(i["id"] for i in page["incidents"])
        if not page["more"]:
            break
        offset += 7
    assert seen == [i.id for i in every]
    assert pd.get("/incidents", params={"date_range": "all", "limit": 500}).json()["limit"] == 100


def test_pagerduty_filters_by_created_range_status_and_service(pd: httpx.Client, ds: Dataset) -> None:
    every = incidents(ds, "pagerduty")
    since, until = ds.now - timedelta(days=40), ds.now - timedelta(days=10)
    params = {"since": since.isoformat(), "until": until.isoformat(), "limit": 100}
    listed = [i["id"] for i in pd.get("/incidents", params=params).json()["incidents"]]
    assert listed == [i.id for i in every if since <= i.opened_at < until]
    default = pd.get("/incidents", params={"limit": 100}).json()["incidents"]
    assert [i["id"] for i in default] == [i.id for i in every if i.opened_at >= ds.now - timedelta(days=30)]
    too_long = pd.get("/incidents", params={"since": "2025-01-01T00:00:00Z", "until": "2025-08-01T00:00:00Z"})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == 2001
    service = services(ds, "pagerduty")[0]
    by_service = pd.get("/incidents", params={"date_range": "all", "limit": 100, "service_ids[]": service.id})
    assert {i["service"]["id"] for i in by_service.json()["incidents"]} == {service.id}
    resolved = pd.get("/incidents", params={"date_range": "all", "limit": 100, "statuses[]": "resolved"})
    assert all(i["status"] == "resolved" and i["resolved_at"] for i in resolved.json()["incidents"])


def test_opsgenie_pages_follow_paging_next_and_queries_filter(og: httpx.Client, ds: Dataset) -> None:
    every = incidents(ds, "opsgenie")
    url: str | None = "/v1/incidents?limit=4&sort=createdAt&order=asc"
    seen: list[str] = []
    while url:
        body = og.get(url).json()
        assert body["totalCount"] == len(every)
        seen.extend(i["id"] for i in body["data"])
        url = body["paging"].get("next")
    assert seen == [i.id for i in every]
    cut = every[len(every) // 2].updated_at(ds.now)
    millis = int(cut.timestamp() * 1000)
    recent = og.get("/v1/incidents", params={"query": f"updatedAt>={millis}", "limit": 100}).json()["data"]
    assert {i["id"] for i in recent} == {i.id for i in every if i.updated_at(ds.now) >= cut}
    assert og.get("/v1/incidents", params={"query": "owner:me"}).status_code == 422
    names = {s["id"]: s["name"] for s in og.get("/v1/services").json()["data"]}
    assert set(names.values()) == {s.name for s in services(ds, "opsgenie")}


def test_rate_limits_answer_429_with_each_tools_headers(
    pd: httpx.Client, og: httpx.Client, sim: RunningSimulator
) -> None:
    configure(sim, incident_rate_limit={"limit": 2, "window_seconds": 30})
    assert [pd.get("/services").status_code for _ in range(2)] == [200, 200]
    limited = pd.get("/services")
    assert limited.status_code == 429 and int(limited.headers["ratelimit-reset"]) >= 1
    assert limited.json()["error"]["code"] == 2020
    og.get("/v1/services")
    og.get("/v1/services")
    throttled = og.get("/v1/services")
    assert throttled.status_code == 429 and throttled.headers["x-ratelimit-state"] == "THROTTLED"
    assert int(throttled.headers["x-ratelimit-period-in-sec"]) >= 1
    configure(sim, incident_rate_limit={"limit": 960, "window_seconds": 0.01})
    configure(sim, exhaust_rate_limit_now=True, incident_rate_limit={"window_seconds": 60})
    assert pd.get("/services").status_code == 429


def test_faults_come_from_the_shared_knobs(pd: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, error_rate=1.0)
    assert pd.get("/services").status_code in (500, 502)
    configure(sim, error_rate=0.0, secondary_limit_every=1, secondary_retry_after=3)
    limited = pd.get("/services")
    assert limited.status_code == 429 and limited.headers["ratelimit-reset"] == "3"
    stats = httpx.get(sim.base_url + "/_sim/stats").json()
    assert stats["by_api"]["pagerduty"] >= 2 and stats["faults"]["secondary"] >= 1


def test_incidents_follow_production_deployments_of_their_services_repository(ds: Dataset) -> None:
    for tool in ("pagerduty", "opsgenie"):
        listed = incidents(ds, tool)  # type: ignore[arg-type]
        assert [i.number for i in listed] == list(range(1, len(listed) + 1))
        mapped = [i for i in listed if i.service.repo]
        assert mapped and any(i.service.repo is None for i in listed)
        for incident in mapped:
            repo = ds.repository(incident.service.repo or "")
            assert repo is not None
            before = [
                d
                for d in successful_production(repo.deployments)
                if (d.finished_at or d.created_at) < incident.opened_at
            ]
            assert incident.deployment_id == before[-1].id


def test_advance_opens_new_incidents_and_resolves_open_ones(sim: RunningSimulator, ds: Dataset) -> None:
    before = {i.id: i for i in incidents(ds, "pagerduty")}
    now = ds.now
    httpx.post(sim.base_url + "/_sim/advance", json={"hours": 24 * 14}, timeout=30).raise_for_status()
    after = incidents(ds, "pagerduty")
    assert len(after) > len(before)
    assert all(before[i.id].number == i.number for i in after if i.id in before), "numbers are stable"
    assert all(i.opened_at > now for i in after if i.id not in before)
    summary = httpx.get(sim.base_url + "/_sim/summary").json()
    assert summary["pagerduty_incidents"] == len(after)


def test_the_same_spec_serves_the_same_incidents() -> None:
    with start_simulator(SimConfig(dataset=SMALL)) as one, start_simulator(SimConfig(dataset=SMALL)) as two:
        for tool in ("pagerduty", "opsgenie"):
            assert incidents(one.app.dataset, tool) == incidents(two.app.dataset, tool)  # type: ignore[arg-type]
