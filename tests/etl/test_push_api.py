"""The push API through the real ETL Service and a real Backend process: tokens, validation, idempotency, limits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.analytics.freshness import service as freshness_service
from pulse.core.config import Settings
from pulse.etl.main import create_app
from tests.analytics.seed import Seed, at
from tests.etl.conftest import API, Tenant, bearer, login, make_tenant
from tests.servers import PulseProcess, ThreadServer, wait_for_listener

REPO = "acme/api"


@pytest.fixture
def admin(etl_server: ThreadServer, tokens: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["admin"]), timeout=30) as client:
        yield client


@pytest.fixture
def seed(clean_engine: Engine, tenant: Tenant) -> Seed:
    """Tenant A's rows; its GitHub integration has ingested `acme/api`."""
    seed = Seed(clean_engine, tenant.client_id)
    seed.repo(REPO)
    return seed


def create_push(admin: httpx.Client, name: str = "CI") -> tuple[int, str]:
    """A push integration made through the API: its id and its token (shown in that answer only)."""
    response = admin.post("/integrations", json={"type": "push", "name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["push_token"]["token"]


@pytest.fixture
def push(admin: httpx.Client, seed: Seed) -> tuple[int, str]:
    return create_push(admin)


def pusher(etl_server: ThreadServer, token: str) -> httpx.Client:
    """A client of the ETL Service's API sending this bearer token (a push token or a session token)."""
    return httpx.Client(base_url=etl_server.base_url + API, headers=bearer(token), timeout=30)


@pytest.fixture
def stranger(
    etl_server: ThreadServer, clean_engine: Engine, settings: Settings, backend_process: PulseProcess
) -> Iterator[tuple[Tenant, httpx.Client]]:
    """Tenant B ("globex") and a client logged in as its admin."""
    other = make_tenant(clean_engine, settings, "globex")
    token = login(backend_process.base_url, other.emails["admin"])  # type: ignore[attr-defined]
    with pusher(etl_server, token) as client:
        yield other, client


def deployment(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "deployment_id": "run-1",
        "repository": REPO,
        "environment": "production",
        "sha": "a" * 40,
        "status": "success",
        "started_at": "2026-11-03T09:00:00Z",
        "finished_at": "2026-11-03T12:00:00+00:00",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def incident(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": "INC-1",
        "repository": REPO,
        "title": "Checkout down",
        "severity": "sev1",
        "opened_at": "2026-11-03T13:00:00Z",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def count(engine: Engine, sql: str, **bound: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), bound).scalar_one())


# --- the push integration and its token -----------------------------------------------------------------------


def test_creating_a_push_integration_shows_its_token_once_and_stores_only_its_hash(
    admin: httpx.Client, clean_engine: Engine, etl_server: ThreadServer, capfd: pytest.CaptureFixture[str]
) -> None:
    response = admin.post("/integrations", json={"type": "push", "name": "CI"})
    assert response.status_code == 201, response.text
    body = response.json()
    token = body["push_token"]["token"]
    assert token.startswith("pulse_push_") and len(token) >= 50
    assert body["base_url"] == "" and body["has_credentials"] is False
    assert body["push_token"]["prefix"] == token[: len(body["push_token"]["prefix"])]
    with clean_engine.connect() as conn:
        dump = conn.execute(text("SELECT token_hash, prefix FROM push_tokens")).one()
        assert dump.token_hash == hashlib.sha256(token.encode()).hexdigest()
        everything = conn.execute(text("SELECT row_to_json(t)::text FROM push_tokens t")).scalar_one()
        assert token not in everything
    read = admin.get(f"/integrations/{body['id']}")
    assert token not in read.text and "push_token" not in read.json()
    assert token not in admin.get("/integrations").text
    shown = admin.get(f"/integrations/{body['id']}/push-token").json()
    assert shown["prefix"] == body["push_token"]["prefix"] and shown["last_used_at"] is None
    assert token not in str(shown)
    with pusher(etl_server, token) as client:  # a push, refused (no repository ingested), and a wrong token
        assert client.post(f"/push/{body['id']}/deployments", json=deployment()).status_code == 422
    with pusher(etl_server, token + "x") as client:
        assert client.post(f"/push/{body['id']}/deployments", json=deployment()).status_code == 401
    out, err = capfd.readouterr()
    assert "push_token_issued" in out + err  # the service did log the issue
    assert token not in out + err


def test_other_types_answer_the_read_shape_without_a_push_token(admin: httpx.Client) -> None:
    response = admin.post(
        "/integrations",
        json={"type": "github", "name": "GH", "base_url": "https://api.github.com", "credentials": {"token": "t"}},
    )
    assert response.status_code == 201, response.text
    assert "push_token" not in response.json()
    assert admin.get(f"/integrations/{response.json()['id']}/push-token").status_code == 409
    assert admin.post(f"/integrations/{response.json()['id']}/push-token").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credentials": {"token": "x"}}, "credentials"),
        ({"base_url": "https://ci.example.com"}, "base_url"),
        ({"settings": {"schedule": {"interval_minutes": 60}}}, "settings.schedule"),
        ({"settings": {"sync_since": "2026-01-01"}}, "settings.sync_since"),
    ],
)
def test_a_push_integration_takes_no_credentials_url_or_schedule(
    admin: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = admin.post("/integrations", json={"type": "push", "name": "CI", **body})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert admin.get("/integrations").json()["total"] == 0


def test_a_push_integration_never_syncs(admin: httpx.Client, push: tuple[int, str]) -> None:
    integration_id, _ = push
    response = admin.post(f"/integrations/{integration_id}/sync")
    assert response.status_code == 409 and "push" in response.json()["error"]["message"]
    assert admin.get("/jobs", params={"integration_id": integration_id}).json()["total"] == 0
    tested = admin.post("/integrations/test", json={"type": "push", "name": "CI"})
    assert tested.status_code == 200 and tested.json()["ok"] is True


def test_rotation_revokes_the_old_token_at_once(
    admin: httpx.Client, push: tuple[int, str], etl_server: ThreadServer
) -> None:
    integration_id, old = push
    with pusher(etl_server, old) as client:
        assert client.post(f"/push/{integration_id}/deployments", json=deployment()).status_code == 201
    rotated = admin.post(f"/integrations/{integration_id}/push-token")
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["token"]
    assert new != old and new.startswith("pulse_push_")
    with pusher(etl_server, old) as client:
        refused = client.post(f"/push/{integration_id}/deployments", json=deployment())
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    with pusher(etl_server, new) as client:
        assert client.post(f"/push/{integration_id}/deployments", json=deployment()).status_code == 200
    shown = admin.get(f"/integrations/{integration_id}/push-token").json()
    assert shown["prefix"] == rotated.json()["prefix"] and shown["last_used_at"] is not None


def test_rotation_needs_integrations_admin_and_the_tenants_own_integration(
    push: tuple[int, str],
    etl_server: ThreadServer,
    tokens: dict[str, str],
    stranger: tuple[Tenant, httpx.Client],
) -> None:
    integration_id, token = push
    with pusher(etl_server, tokens["user"]) as user:
        assert user.post(f"/integrations/{integration_id}/push-token").status_code == 403
        assert user.get(f"/integrations/{integration_id}/push-token").status_code == 200
    _, other_admin = stranger
    assert other_admin.post(f"/integrations/{integration_id}/push-token").status_code == 404
    assert other_admin.get(f"/integrations/{integration_id}/push-token").status_code == 404
    with pusher(etl_server, token) as client:  # nothing was rotated
        assert client.post(f"/push/{integration_id}/deployments", json=deployment()).status_code == 201


# --- who may push ---------------------------------------------------------------------------------------------


def test_only_the_integrations_own_live_token_may_push(
    admin: httpx.Client,
    push: tuple[int, str],
    etl_server: ThreadServer,
    tokens: dict[str, str],
    clean_engine: Engine,
    stranger: tuple[Tenant, httpx.Client],
) -> None:
    integration_id, token = push
    sibling_id, sibling_token = create_push(admin, "Other CI")
    other, other_admin = stranger
    Seed(clean_engine, other.client_id).repo(REPO)
    foreign_id, foreign_token = create_push(other_admin)
    url = etl_server.base_url + API + f"/push/{integration_id}/deployments"
    refused = {
        "no token": {},
        "a user's session token": bearer(tokens["admin"]),
        "a garbled push token": bearer(token[:-2] + "xx"),
        "another integration's token": bearer(sibling_token),
        "another tenant's token": bearer(foreign_token),
        "basic auth": {"Authorization": "Basic " + token},
    }
    for what, headers in refused.items():
        response = httpx.post(url, json=deployment(), headers=headers)
        assert response.status_code == 401, what
        assert response.json()["error"]["code"] == "not_authenticated", what
    # The session cookie does not carry a push either (push routes read the Authorization header only).
    assert httpx.post(url, json=deployment(), cookies={"pulse_token": token}).status_code == 401
    # A token used on an integration it does not belong to looks exactly like a missing integration.
    wrong = httpx.post(
        etl_server.base_url + API + f"/push/{foreign_id}/deployments", json=deployment(), headers=bearer(token)
    )
    missing = httpx.post(
        etl_server.base_url + API + "/push/999999/deployments", json=deployment(), headers=bearer(token)
    )
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json()["error"]["message"] == missing.json()["error"]["message"]
    assert count(clean_engine, "SELECT count(*) FROM deployments") == 0
    # A deactivated integration takes no pushes.
    assert admin.post(f"/integrations/{sibling_id}/deactivate").status_code == 200
    gone = httpx.post(
        etl_server.base_url + API + f"/push/{sibling_id}/deployments", json=deployment(), headers=bearer(sibling_token)
    )
    assert gone.status_code == 401
    assert admin.post(f"/integrations/{sibling_id}/push-token").status_code == 409


def test_a_push_token_is_refused_on_every_other_route(
    push: tuple[int, str], etl_server: ThreadServer, backend_process: PulseProcess
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        for path in ("/integrations", f"/integrations/{integration_id}", "/deployments", "/metrics/dora", "/jobs"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert "push token" in response.json()["error"]["message"], path
        assert client.post(f"/integrations/{integration_id}/push-token").status_code == 401
    assert httpx.get(etl_server.base_url + API + "/integrations", cookies={"pulse_token": token}).status_code == 401
    backend = backend_process.base_url  # type: ignore[attr-defined]
    assert httpx.post(f"{backend}{API}/auth/validate", headers=bearer(token)).status_code == 401
    assert httpx.get(f"{backend}{API}/auth/me", headers=bearer(token)).status_code == 401


# --- strict validation ----------------------------------------------------------------------------------------

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


BAD_DEPLOYMENTS: list[tuple[dict[str, Any], str]] = [
    ({"colour": "blue"}, "colour"),
    ({"deployment_id": None}, "deployment_id"),
    ({"deployment_id": "has/slash"}, "deployment_id"),
    ({"deployment_id": "x" * 201}, "deployment_id"),
    ({"repository": None}, "repository"),
    ({"repository": "not-a-path"}, "repository"),
    ({"repository": "acme/unknown"}, "repository"),
    ({"environment": "  "}, "environment"),
    ({"environment": None}, "environment"),
    ({"sha": "xyz1234"}, "sha"),
    ({"sha": "abc12"}, "sha"),
    ({"sha": "a" * 41}, "sha"),
    ({"status": "done"}, "status"),
    ({"started_at": "2026-11-03T09:00:00"}, "started_at"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"started_at": FUTURE, "finished_at": FUTURE}, "started_at"),
    ({"finished_at": "2026-11-03T08:59:59Z"}, "finished_at"),
    ({"finished_at": "2026-11-03T12:00:00"}, "finished_at"),
    ({"finished_at": None}, "finished_at"),
    ({"status": "in_progress"}, "finished_at"),
    ({"ref": ""}, "ref"),
]


def test_a_bad_deployment_is_422_naming_the_field_and_writes_nothing(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        for changes, field in BAD_DEPLOYMENTS:
            body = deployment(**{k: v for k, v in changes.items() if v is not None})
            for key in [k for k, v in changes.items() if v is None]:
                body.pop(key)
            response = client.post(f"/push/{integration_id}/deployments", json=body)
            assert response.status_code == 422, (changes, response.text)
            error = response.json()["error"]
            assert error["code"] == "invalid_input" and error["field"] == field, (changes, error)
    assert count(clean_engine, "SELECT count(*) FROM deployments") == 0
    assert count(clean_engine, "SELECT count(*) FROM job_runs") == 0


def test_a_repository_of_another_tenant_is_unknown(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine, stranger: tuple[Tenant, httpx.Client]
) -> None:
    integration_id, token = push
    other, _ = stranger
    Seed(clean_engine, other.client_id).repo("globex/secret")
    with pusher(etl_server, token) as client:
        response = client.post(f"/push/{integration_id}/deployments", json=deployment(repository="globex/secret"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "repository"


BAD_INCIDENTS: list[tuple[dict[str, Any], str]] = [
    ({"priority": "P1"}, "priority"),
    ({"key": ""}, "key"),
    ({"repository": "acme/unknown"}, "repository"),
    ({"opened_at": "2026-11-03T13:00:00"}, "opened_at"),
    ({"opened_at": FUTURE}, "opened_at"),
    ({"resolved_at": "2026-11-03T12:59:00Z"}, "resolved_at"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"severity": "s" * 51}, "severity"),
    ({"title": 5}, "title"),
]


def test_a_bad_incident_is_422_naming_the_field(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        for changes, field in BAD_INCIDENTS:
            response = client.post(f"/push/{integration_id}/incidents", json=incident(**changes))
            assert response.status_code == 422, (changes, response.text)
            assert response.json()["error"]["field"] == field, (changes, response.json())
    assert count(clean_engine, "SELECT count(*) FROM incidents") == 0


# --- what a push stores ---------------------------------------------------------------------------------------


def test_a_pushed_deployment_is_stored_once_per_key_and_updated_by_the_same_key(
    admin: httpx.Client, push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        started = client.post(
            f"/push/{integration_id}/deployments",
            json=deployment(status="in_progress", finished_at=None, sha="ABCDEF1", ref="main"),
        )
        assert started.status_code == 201, started.text
        first = started.json()
        assert first["created"] is True and first["sha"] == "abcdef1" and first["repository"] == REPO
        done = client.post(f"/push/{integration_id}/deployments", json=deployment(sha="abcdef1", ref="main"))
        assert done.status_code == 200, done.text
        assert done.json()["id"] == first["id"] and done.json()["created"] is False
        assert done.json()["status"] == "success"
        again = client.post(f"/push/{integration_id}/deployments", json=deployment(sha="abcdef1", ref="main"))
        assert again.status_code == 200 and again.json() == done.json()
    with clean_engine.connect() as conn:
        row = conn.execute(
            text("SELECT source, status, environment, sha, ref, integration_id, external_id FROM deployments")
        ).one()
    assert tuple(row) == ("push", "success", "production", "abcdef1", "main", integration_id, "run-1")
    # The data read-back lists it like any other deployment.
    listed = admin.get("/deployments").json()
    assert listed["total"] == 1 and listed["items"][0]["sha"] == "abcdef1"
    # Every push is a finished run of the integration: the run history shows them.
    runs = admin.get("/jobs", params={"integration_id": integration_id}).json()
    assert runs["total"] == 3 and {r["status"] for r in runs["items"]} == {"FINISHED"}
    assert admin.get(f"/integrations/{integration_id}").json()["last_sync"]["status"] == "FINISHED"


def test_concurrent_pushes_of_one_key_make_one_row(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push

    def send_at_once(path: str, body: dict[str, Any], times: int) -> list[int]:
        def send(_: int) -> int:
            with pusher(etl_server, token) as client:
                return client.post(f"/push/{integration_id}/{path}", json=body).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            return sorted(pool.map(send, range(times)))

    assert send_at_once("deployments", deployment(), 16) == [200] * 15 + [201]
    assert count(clean_engine, "SELECT count(*) FROM deployments") == 1
    assert send_at_once("incidents", incident(), 8) == [200] * 7 + [201]
    assert count(clean_engine, "SELECT count(*) FROM incidents") == 1


def test_incidents_are_pushed_and_resolved_idempotently(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        created = client.post(f"/push/{integration_id}/incidents", json=incident(url="https://status.example/1"))
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "open" and created.json()["resolved_at"] is None
        early = client.post(
            f"/push/{integration_id}/incidents/INC-1/resolve", json={"resolved_at": "2026-11-03T12:00:00Z"}
        )
        assert early.status_code == 422 and early.json()["error"]["field"] == "resolved_at"
        resolved = client.post(
            f"/push/{integration_id}/incidents/INC-1/resolve", json={"resolved_at": "2026-11-03T15:30:00Z"}
        )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["status"] == "resolved"
        assert resolved.json()["resolved_at"].startswith("2026-11-03T15:30:00")
        again = client.post(f"/push/{integration_id}/incidents/INC-1/resolve")
        assert again.status_code == 200 and again.json()["resolved_at"] == resolved.json()["resolved_at"]
        # Pushing the incident again without a resolution keeps the one recorded.
        updated = client.post(f"/push/{integration_id}/incidents", json=incident(title="Checkout slow"))
        assert updated.status_code == 200 and updated.json()["title"] == "Checkout slow"
        assert updated.json()["resolved_at"] == resolved.json()["resolved_at"]
        unknown = client.post(f"/push/{integration_id}/incidents/INC-404/resolve")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
        assert client.post(f"/push/{integration_id}/incidents/INC-1/resolve", json={"when": "now"}).status_code == 422
        now_resolved = client.post(f"/push/{integration_id}/incidents", json=incident(key="INC-2"))
        assert now_resolved.status_code == 201
        assert client.post(f"/push/{integration_id}/incidents/INC-2/resolve").json()["resolved_at"] is not None
    with clean_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT source, key, title, severity, status, repository_id IS NOT NULL"
                " FROM incidents WHERE key = 'INC-1'"
            )
        ).one()
    assert tuple(row) == ("push", "INC-1", "Checkout slow", "sev1", "resolved", True)


def test_a_push_that_fails_midway_writes_nothing(
    push: tuple[int, str], etl_server: ThreadServer, clean_engine: Engine
) -> None:
    integration_id, token = push
    with pusher(etl_server, token) as client:
        first = client.post(f"/push/{integration_id}/incidents", json=incident(resolved_at="2026-11-03T14:00:00Z"))
        assert first.status_code == 201
        runs = count(clean_engine, "SELECT count(*) FROM job_runs")
        # The upsert runs, then the check that the stored resolution is not before the new opening fails.
        moved = client.post(
            f"/push/{integration_id}/incidents", json=incident(opened_at="2026-11-03T15:00:00Z", title="changed")
        )
        assert moved.status_code == 422 and moved.json()["error"]["field"] == "opened_at"
    with clean_engine.connect() as conn:
        row = conn.execute(text("SELECT title, opened_at FROM incidents")).one()
    assert row.title == "Checkout down" and row.opened_at == at(11, 3, 13)
    assert count(clean_engine, "SELECT count(*) FROM job_runs") == runs


# --- rate limit -----------------------------------------------------------------------------------------------


@pytest.fixture
def limited_server(clean_engine: Engine, etl_settings: Settings) -> Iterator[ThreadServer]:
    """The ETL Service allowing three pushes a minute per token."""
    server = ThreadServer(create_app(etl_settings.model_copy(update={"push_rate_limit": 3}))).start()
    wait_for_listener(server)
    yield server
    server.stop()


def test_pushes_are_rate_limited_per_token(
    limited_server: ThreadServer, tokens: dict[str, str], seed: Seed, clean_engine: Engine
) -> None:
    with httpx.Client(base_url=limited_server.base_url + API, headers=bearer(tokens["admin"])) as admin:
        integration_id, token = create_push(admin)
        other_id, other_token = create_push(admin, "Other CI")
    with pusher(limited_server, token) as client:
        statuses = [
            client.post(f"/push/{integration_id}/deployments", json=deployment(deployment_id=f"r{i}")).status_code
            for i in range(3)
        ]
        # A refused push counts too: a caller cannot probe without limit.
        assert client.post(f"/push/{integration_id}/deployments", json=deployment(sha="zz")).status_code == 429
        limited = client.post(f"/push/{integration_id}/deployments", json=deployment(deployment_id="r9"))
    assert statuses == [201, 201, 201]
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "throttled"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert count(clean_engine, "SELECT count(*) FROM deployments") == 3
    with pusher(limited_server, other_token) as other:  # the limit is per token
        assert other.post(f"/push/{other_id}/deployments", json=deployment(deployment_id="o1")).status_code == 201
    # The counter lives in the database: a second ETL replica sees the same one.
    replica = ThreadServer(create_app(limited_server.app.state.settings)).start()
    try:
        with pusher(replica, token) as client:
            response = client.post(f"/push/{integration_id}/deployments", json=deployment(deployment_id="r10"))
            assert response.status_code == 429
    finally:
        replica.stop()


# --- DORA from pushed deployments -----------------------------------------------------------------------------


def test_pushed_deployments_give_the_hand_computed_dora_figures(
    admin: httpx.Client, push: tuple[int, str], etl_server: ThreadServer, seed: Seed
) -> None:
    integration_id, token = push
    repo = seed.repo("acme/web")
    pr1 = seed.pr(repo, 1, first_commit_at=at(11, 2), opened_at=at(11, 2, 1), merged_at=at(11, 2, 10))
    pr2 = seed.pr(repo, 2, first_commit_at=at(11, 3), opened_at=at(11, 3, 2), merged_at=at(11, 4, 12))
    pr3 = seed.pr(repo, 3, first_commit_at=at(11, 5, 6), opened_at=at(11, 5, 7), merged_at=at(11, 6))
    seed.pr(repo, 4, first_commit_at=at(11, 19), opened_at=at(11, 19), merged_at=at(11, 20))  # after every deploy
    seed.deployment(repo, at(11, 10))  # a GitHub deployment: not counted while the rule says "push"
    [rule] = [r for r in admin.get("/settings/deployment-rules").json()["items"] if r["scope"] == "tenant"]
    changed = admin.patch(f"/settings/deployment-rules/{rule['id']}", json={"source": "push"})
    assert changed.status_code == 200, changed.text

    def send(key: str, environment: str, status: str, started: str, finished: str | None) -> int:
        body = deployment(
            deployment_id=key, repository="acme/web", environment=environment, status=status,
            started_at=started, finished_at=finished, sha=hashlib.sha1(key.encode()).hexdigest(),
        )  # fmt: skip
        with pusher(etl_server, token) as client:
            response = client.post(f"/push/{integration_id}/deployments", json=body)
        assert response.status_code in (200, 201), response.text
        return int(response.json()["id"])

    d1 = send("d1", "production", "success", "2026-11-03T09:00:00Z", "2026-11-03T12:00:00Z")
    send("d2", "staging", "success", "2026-11-04T23:00:00Z", "2026-11-05T00:00:00Z")
    send("d3", "production", "failure", "2026-11-05T11:00:00Z", "2026-11-05T12:00:00Z")
    send("d4", "production", "in_progress", "2026-11-06T10:00:00Z", None)
    d4 = send("d4", "production", "success", "2026-11-06T10:00:00+00:00", "2026-11-06T13:00:00+01:00")
    send("d5", "production", "in_progress", "2026-11-20T10:00:00Z", None)

    november = {"from": "2026-11-01", "to": "2026-11-30"}
    body = admin.get("/metrics/dora", params=november).json()
    # Production successes: d1 (11-03) and d4 (11-06 12:00 UTC); d2 is staging, d3 failed, d5 is unfinished.
    assert body["deployment_frequency"]["deployments"] == 2
    assert body["deployment_frequency"]["deployment_days"] == 2
    # d1 ships PR 1 (merged before it): 11-03 12:00 - 11-02 00:00 = 36 h. d4 ships what merged after d1 finished:
    # PR 2 (11-06 12:00 - 11-03 00:00 = 84 h) and PR 3 (11-06 12:00 - 11-05 06:00 = 30 h). Median of 30, 36, 84.
    lead = body["lead_time_for_changes"]
    assert lead["changes"] == 3 and lead["median_hours"] == 36
    changes = admin.get("/metrics/dora/changes", params={**november, "sort": "number", "order": "asc"}).json()
    shipped = [(c["number"], c["deployment_id"], c["lead_time_hours"]) for c in changes["items"]]
    assert shipped == [(1, d1, 36), (2, d4, 84), (3, d4, 30)]
    assert {pr1, pr2, pr3} == {c["pull_request_id"] for c in changes["items"]}
    deployments = admin.get("/metrics/dora/deployments", params={**november, "sort": "finished_at", "order": "asc"})
    assert [(d["id"], d["changes"], d["source"]) for d in deployments.json()["items"]] == [
        (d1, 1, "push"),
        (d4, 2, "push"),
    ]
    assert {c["source"] for c in changes["items"]} == {"github"}  # the pull requests came from GitHub

    # A deactivated push integration's deployments leave the metrics with it: at once on the live path, and in
    # the facts once the rebuild the deactivation queued has run (the write itself never waits for it).
    assert admin.post(f"/integrations/{integration_id}/deactivate").status_code == 200
    live = admin.get("/metrics/dora", params={**november, "environment": "production"}).json()
    assert live["deployment_frequency"]["deployments"] == 0
    assert admin.get("/metrics/dora", params=november).json()["freshness"]["pending"] is True
    run_queued_rebuild(seed)
    facts = admin.get("/metrics/dora", params=november).json()
    assert facts["deployment_frequency"]["deployments"] == 0 and facts["lead_time_for_changes"]["changes"] == 0
    # ... and come back with it.
    assert admin.patch(f"/integrations/{integration_id}", json={"active": True}).status_code == 200
    run_queued_rebuild(seed)
    assert admin.get("/metrics/dora", params=november).json()["deployment_frequency"]["deployments"] == 2


def run_queued_rebuild(seed: Seed) -> None:
    """What the rebuild job a write queued does (the worker's task body, in its own transaction)."""
    with Session(seed.engine) as db_session, db_session.begin():
        assert freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)
