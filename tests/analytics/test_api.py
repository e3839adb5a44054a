"""The metrics, settings and incidents routes through the real ETL Service (auth by a real Backend process)."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import Engine

from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed
from tests.etl.conftest import API, Tenant, bearer
from tests.factories import make_client
from tests.servers import ThreadServer

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_dora_routes_answer_the_documented_shapes(
    etl_server: ThreadServer, tenant: Tenant, tokens: dict[str, str], clean_engine: Engine
) -> None:
    ids = build_main(Seed(clean_engine, tenant.client_id))
    build_main(Seed(clean_engine, make_client(clean_engine, "other corp")))
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["view"])) as client:
        body = client.get("/metrics/dora", params=MARCH).json()
        assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31", "tz": "UTC"}
        assert body["deployment_frequency"]["deployments"] == 4
        assert body["change_failure_rate"] == {"rate": 0.5, "failed_deployments": 2, "deployments": 4, "level": "low"}
        assert body["lead_time_for_changes"]["median_hours"] == 24
        assert body["time_to_restore"]["incidents"] == 3
        team = client.get("/metrics/dora", params={**MARCH, "team_id": ids["alpha"]}).json()
        assert team["lead_time_for_changes"]["median_hours"] == 36

        trend = client.get("/metrics/dora/trend", params={**MARCH, "granularity": "month"}).json()
        assert trend["granularity"] == "month"
        assert [p["period_start"] for p in trend["points"]] == ["2026-03-01"]

        page = client.get(
            "/metrics/dora/deployments", params={**MARCH, "limit": 2, "sort": "finished_at", "order": "asc"}
        )
        assert page.status_code == 200
        assert page.json()["total"] == 4
        assert [d["id"] for d in page.json()["items"]] == [ids["d1"], ids["e1"]]

        exported = client.get("/metrics/dora/changes", params={**MARCH, "format": "csv"})
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0][:3] == ["pull_request_id", "repository", "number"]
        assert len(rows) == 1 + 5

        incidents = client.get("/metrics/dora/incidents", params=MARCH).json()
        assert incidents["total"] == 4
        readback = client.get("/incidents", params={"limit": 2}).json()
        assert readback["total"] == 5 and len(readback["items"]) == 2

        for params, field in (
            ({"from": "2026-13-01", "to": "2026-03-31"}, "from"),
            ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
            ({**MARCH, "tz": "Nowhere/Special"}, "tz"),
            ({**MARCH, "granularity": "day"}, "granularity"),
        ):
            path = "/metrics/dora/trend" if "granularity" in params else "/metrics/dora"
            bad = client.get(path, params=params)
            assert bad.status_code == 422, bad.text
            assert bad.json()["error"]["field"] == field
        assert client.get("/metrics/dora", params={**MARCH, "sort": "x"}).status_code == 200
        assert client.get("/metrics/dora/deployments", params={**MARCH, "sort": "nope"}).status_code == 422
        assert client.get("/metrics/dora", params={**MARCH, "team_id": 999999}).status_code == 404

        assert client.get("/metrics/pull-requests", params=MARCH).json()["throughput"]["merged"] == 5
        assert client.get("/metrics/pull-requests/items", params={**MARCH, "format": "csv"}).text.count("\n") == 6
        pr_page = client.get("/metrics/pull-requests/items", params={**MARCH, "limit": 2}).json()
        assert (len(pr_page["items"]), pr_page["total"]) == (2, 5)
        flow_page = client.get("/metrics/flow/items", params=MARCH).json()
        assert (flow_page["items"], flow_page["total"]) == ([], 0)
        # Every JSON answer says how fresh its facts are: built by the first read here, nothing pending.
        fresh = body["freshness"]
        assert fresh["pending"] is False and fresh["as_of"] is not None
        answers = (team, trend, page.json(), incidents, readback, pr_page, flow_page)
        assert all(answer["freshness"] == fresh for answer in answers)
        assert client.get("/metrics/freshness").json() == fresh
        flow_csv = client.get("/metrics/flow/items", params={**MARCH, "format": "csv"})
        assert flow_csv.headers["content-type"].startswith("text/csv") and flow_csv.text.count("\n") == 1
        flow = client.get("/metrics/flow", params=MARCH).json()
        assert flow["throughput"]["items"] == 0  # ALP-1 and ALP-2 never left To Do
        assert flow["wip"] == {"items": 0}
    assert httpx.get(etl_server.base_url + API + "/metrics/dora", params=MARCH).status_code == 401


def test_settings_routes_need_settings_permissions(
    etl_server: ThreadServer, tenant: Tenant, tokens: dict[str, str]
) -> None:
    base = etl_server.base_url + API + "/settings"
    assert httpx.get(base + "/flow-steps", headers=bearer(tokens["view"])).status_code == 403
    assert httpx.get(base + "/flow-steps", headers=bearer(tokens["user"])).status_code == 403
    with httpx.Client(base_url=base, headers=bearer(tokens["admin"])) as admin:
        steps = admin.get("/flow-steps").json()
        assert steps["total"] == 5
        created = admin.post("/flow-steps", json={"name": "Blocked", "position": 6, "category": "in_progress"})
        assert created.status_code == 201, created.text
        step_id = created.json()["id"]
        assert (
            admin.post("/flow-steps", json={"name": "BLOCKED", "position": 7, "category": "to_do"}).status_code == 409
        )
        mapping = admin.post("/status-mappings", json={"status_name": "Blocked", "flow_step_id": step_id})
        assert mapping.status_code == 201
        renamed = admin.patch(f"/flow-steps/{step_id}", json={"name": "Waiting"})
        assert renamed.json()["name"] == "Waiting"
        no_target = admin.post(f"/flow-steps/{step_id}/deactivate", json={"strategy": "reassign"})
        assert no_target.status_code == 422
        assert no_target.json()["error"]["field"] == "reassign_to_id"
        bad = admin.post("/status-mappings", json={"status_name": "X", "flow_step_id": "nope"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "flow_step_id"
        cascade = admin.post(f"/flow-steps/{step_id}/deactivate", json={"strategy": "cascade"})
        assert cascade.status_code == 200 and cascade.json()["active"] is False
        assert admin.get(f"/status-mappings/{mapping.json()['id']}").json()["active"] is False
        assert admin.get("/flow-steps/999999").status_code == 404
    user_write = httpx.post(base + "/teams", json={"name": "Sneaky"}, headers=bearer(tokens["user"]))
    assert user_write.status_code == 403


def test_a_first_request_that_is_a_csv_export_sees_the_facts_it_built(
    etl_server: ThreadServer, tenant: Tenant, tokens: dict[str, str], clean_engine: Engine
) -> None:
    build_main(Seed(clean_engine, tenant.client_id))
    exported = httpx.get(
        etl_server.base_url + API + "/metrics/dora/deployments",
        params={**MARCH, "format": "csv"},
        headers=bearer(tokens["view"]),
    )
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == [
        "id",
        "repository",
        "environment",
        "sha",
        "status",
        "finished_at",
        "changes",
        "incidents",
        "failed",
        "source",
    ]
    assert len(rows) == 1 + 4
    assert {row[-1] for row in rows[1:]} == {"github"}
