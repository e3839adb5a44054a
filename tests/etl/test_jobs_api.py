"""The jobs routes: start, list (newest first, paginated), read, log, control."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from tests.etl.conftest import API, Tenant, bearer, make_integration
from tests.servers import ThreadServer

JOB_FIELDS = {
    "id", "integration_id", "status", "step", "percent", "counts", "attempt", "error", "created_at", "started_at",
    "finished_at", "heartbeat_at", "budget",
}  # fmt: skip


def test_jobs_are_listed_read_and_controlled(
    etl_server: ThreadServer, tokens: dict[str, str], tenant: Tenant, clean_engine: Engine, settings: Settings
) -> None:
    first = make_integration(clean_engine, settings, tenant.client_id)
    second = make_integration(clean_engine, settings, tenant.client_id)
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["admin"])) as admin:
        runs = [admin.post(f"/integrations/{i}/sync").json()["job_run_id"] for i in (first, second)]
        listed = admin.get("/jobs").json()
        assert listed["total"] == 2 and [j["id"] for j in listed["items"]] == runs[::-1]
        assert JOB_FIELDS <= set(listed["items"][0])
        only = admin.get("/jobs", params={"integration_id": first, "limit": 1}).json()
        assert only["total"] == 1 and only["items"][0]["id"] == runs[0]
        bad = admin.get("/jobs", params={"limit": 501})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "limit"
        assert admin.get("/jobs", params={"offset": -1}).json()["error"]["field"] == "offset"
        job = admin.get(f"/jobs/{runs[0]}").json()
        assert job["status"] == "PENDING" and job["attempt"] == 0
        assert admin.post(f"/jobs/{runs[0]}/pause").status_code == 409  # PENDING cannot pause
        cancelled = admin.post(f"/jobs/{runs[0]}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
        log = admin.get(f"/jobs/{runs[0]}/log").json()
        assert [e["message"] for e in log["items"]] == ["Sync queued (manual)", "Cancelled"]
        assert admin.get("/jobs/999999").status_code == 404
        assert job["budget"] is None  # no request made yet
        # What a GitHub run over GraphQL records as it goes: requests and points spent, and what is left.
        with clean_engine.begin() as conn:
            conn.execute(
                text("UPDATE job_runs SET counts = CAST(:c AS jsonb) WHERE id = :i"),
                {"i": runs[0], "c": json.dumps({"requests": 30, "not_modified": 4, "graphql_requests": 20,
                                                "points": 96, "points_remaining": 4904, "requests_remaining": 4990})},
            )  # fmt: skip
        budget = admin.get(f"/jobs/{runs[0]}").json()["budget"]
        assert budget == {"requests_spent": 6, "points_spent": 96, "requests_left": 4990, "points_left": 4904}
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["user"])) as user:
        assert user.get(f"/jobs/{runs[1]}").status_code == 200
        assert user.get(f"/jobs/{runs[1]}/log").status_code == 200  # the user role holds logs:read
        assert user.post(f"/jobs/{runs[1]}/cancel").status_code == 403
