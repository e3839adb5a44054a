"""Central auth on the ETL Service against a real Backend process: 401/403/503, revocation within 1 s."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from sqlalchemy import Engine, text
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from pulse.core.config import Settings
from pulse.etl.deps import permission_of, require
from pulse.etl.main import create_app
from tests.etl.conftest import API, Tenant, bearer, login, make_integration, process_env, start_run
from tests.servers import PulseProcess, ThreadServer, free_port, wait_for_health, wait_for_listener

OPEN_PATHS = {"/health", "/ready", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}


def _dependency_calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependency_calls(sub)


def walk_routes(
    routes: list[Any], prefix: str = "", inherited: tuple[Any, ...] = ()
) -> Iterator[tuple[str, Any, list]]:
    """Every endpoint route with its full path and the dependencies routers add around it."""
    for item in routes:
        original = getattr(item, "original_router", None)
        if original is not None:  # an included router (FastAPI resolves these lazily)
            context = item.include_context
            extra = (*inherited, *context.dependencies, *original.dependencies)
            yield from walk_routes(original.routes, context.prefix or prefix, extra)
        elif isinstance(item, APIRoute | APIWebSocketRoute) or hasattr(item, "path"):
            yield prefix + item.path, item, [d.dependency for d in inherited]


def declared_permission(route: Any, inherited: list[Any]) -> tuple[str, str] | None:
    calls = [*inherited, getattr(route, "endpoint", None)]
    if getattr(route, "dependant", None) is not None:
        calls += list(_dependency_calls(route.dependant))
    for call in calls:
        if (permission := permission_of(call)) is not None:
            return permission
    return None


def test_every_route_declares_a_permission(settings: Settings) -> None:
    app = create_app(settings)
    seen = []
    for path, route, inherited in walk_routes(list(app.routes)):
        if path in OPEN_PATHS:
            continue
        seen.append(path)
        assert declared_permission(route, inherited) is not None, f"{path} declares no permission"
    # The walk really reaches the routers (including ones other domains add later through api.py).
    assert "/api/v1/integrations" in seen and "/api/v1/jobs/{job_run_id}/events" in seen


def test_the_route_audit_catches_a_route_without_permission(settings: Settings) -> None:
    from fastapi import APIRouter

    app = create_app(settings)
    extra = APIRouter(prefix="/api/v1/extra")

    @extra.get("/open")
    def open_route() -> dict[str, str]:
        return {}

    @extra.get("/guarded", dependencies=[require("logs", "read")])
    def guarded_route() -> dict[str, str]:
        return {}

    app.include_router(extra)
    found = {path: declared_permission(route, inherited) for path, route, inherited in walk_routes(list(app.routes))}
    assert found["/api/v1/extra/open"] is None
    assert found["/api/v1/extra/guarded"] == ("logs", "read")


def test_health_and_ready_need_no_token(etl_server: ThreadServer) -> None:
    assert httpx.get(etl_server.base_url + "/health").json() == {"status": "ok"}
    assert httpx.get(etl_server.base_url + "/ready").status_code == 200


def test_no_token_is_401_and_a_valid_token_is_200(etl_server: ThreadServer, tokens: dict[str, str]) -> None:
    url = etl_server.base_url + API + "/integrations"
    response = httpx.get(url)
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "not_authenticated" and body["request_id"] == response.headers["x-request-id"]
    assert httpx.get(url, headers=bearer("not-a-token")).status_code == 401
    assert httpx.get(url, headers=bearer(tokens["admin"])).status_code == 200
    assert httpx.get(url, cookies={"pulse_token": tokens["admin"]}).status_code == 200


def test_logout_revokes_the_token_on_etl_within_one_second(
    etl_server: ThreadServer, tokens: dict[str, str], backend_process: PulseProcess
) -> None:
    url = etl_server.base_url + API + "/integrations"
    token = tokens["admin"]
    for _ in range(3):  # warm the cache
        assert httpx.get(url, headers=bearer(token)).status_code == 200
    logout = httpx.post(backend_process.base_url + API + "/auth/logout", headers=bearer(token))  # type: ignore[attr-defined]
    assert logout.status_code in (200, 204)
    started = time.monotonic()
    while httpx.get(url, headers=bearer(token)).status_code != 401:
        assert time.monotonic() - started < 1.0, "the ETL Service still accepts a logged-out token"
        time.sleep(0.01)
    assert time.monotonic() - started < 1.0


def test_permissions_come_from_the_backend(
    etl_server: ThreadServer, tokens: dict[str, str], tenant: Tenant, clean_engine: Engine, settings: Settings
) -> None:
    integration_id = make_integration(clean_engine, settings, tenant.client_id)
    base = etl_server.base_url + API
    sync = f"{base}/integrations/{integration_id}/sync"
    assert httpx.post(sync, headers=bearer(tokens["view"])).status_code == 403
    assert httpx.post(sync, headers=bearer(tokens["user"])).status_code == 403  # read, not execute
    assert httpx.get(base + "/jobs", headers=bearer(tokens["view"])).status_code == 403
    assert httpx.get(base + "/jobs", headers=bearer(tokens["user"])).status_code == 200
    started = httpx.post(sync, headers=bearer(tokens["admin"]))
    assert started.status_code == 202
    job_run_id = started.json()["job_run_id"]
    for action in ("pause", "resume", "cancel"):
        denied = httpx.post(f"{base}/jobs/{job_run_id}/{action}", headers=bearer(tokens["view"]))
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert httpx.post(sync, headers=bearer(tokens["admin"])).status_code == 409  # one live run per integration


@pytest.fixture
def own_backend(settings: Settings, tmp_path: Path) -> Iterator[tuple[PulseProcess, int]]:
    """A Backend process of the test's own, to stop and start again."""
    port = free_port()
    process = PulseProcess(["backend", "--port", str(port)], process_env(settings), tmp_path / "backend.log").start()
    wait_for_health(f"http://127.0.0.1:{port}")
    yield process, port
    process.stop()


def test_backend_down_is_503_then_recovers(
    own_backend: tuple[PulseProcess, int], settings: Settings, tenant: Tenant, tmp_path: Path
) -> None:
    process, port = own_backend
    backend_url = f"http://127.0.0.1:{port}"
    token = login(backend_url, tenant.emails["admin"])
    app_settings = settings.model_copy(update={"backend_service_url": backend_url, "auth_timeout_seconds": 2.0})
    server = ThreadServer(create_app(app_settings)).start()
    try:
        wait_for_listener(server)
        url = server.base_url + API + "/integrations"
        assert httpx.get(url, headers=bearer(token)).status_code == 200
        server.app.state.auth_client.clear()  # what a fresh token looks like: nothing cached
        process.stop()
        down = httpx.get(url, headers=bearer(token))
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "dependency_unavailable"
        restarted = PulseProcess(["backend", "--port", str(port)], process_env(settings), tmp_path / "b2.log").start()
        try:
            wait_for_health(backend_url)
            assert httpx.get(url, headers=bearer(token)).status_code == 200
        finally:
            restarted.stop()
    finally:
        server.stop()


def test_websocket_authenticates_before_accepting_and_streams_the_state(
    etl_server: ThreadServer, tokens: dict[str, str], tenant: Tenant, clean_engine: Engine, settings: Settings
) -> None:
    integration_id = make_integration(clean_engine, settings, tenant.client_id)
    job_run_id = start_run(clean_engine, settings, integration_id)
    ws_url = etl_server.base_url.replace("http://", "ws://") + f"{API}/jobs/{job_run_id}/events"
    with pytest.raises(InvalidStatus):
        with connect(ws_url + "?token=not-a-token", open_timeout=5):
            pass
    with pytest.raises(InvalidStatus):
        with connect(ws_url + f"?token={tokens['view']}", open_timeout=5):
            pass
    with contextlib.ExitStack() as stack:
        viewers = [stack.enter_context(connect(ws_url + f"?token={tokens['admin']}", open_timeout=5)) for _ in range(2)]
        for viewer in viewers:
            messages = [json.loads(viewer.recv(timeout=5)) for _ in range(2)]
            assert messages[0] == {
                "type": "log",
                "level": "info",
                "message": "Sync queued (manual)",
                "at": messages[0]["at"],
            }
            assert messages[1]["type"] == "state" and messages[1]["job"]["status"] == "PENDING"
            viewer.send(json.dumps({"type": "ping"}))
            assert json.loads(viewer.recv(timeout=5)) == {"type": "pong"}
        httpx.post(f"{etl_server.base_url}{API}/jobs/{job_run_id}/cancel", headers=bearer(tokens["admin"]))
        for viewer in viewers:
            seen = []
            while not seen or seen[-1].get("job", {}).get("status") != "CANCELLED":
                seen.append(json.loads(viewer.recv(timeout=5)))
    # The token may also come as the first message.
    with connect(ws_url, open_timeout=5) as late:
        late.send(json.dumps({"type": "auth", "token": tokens["admin"]}))
        replay = [json.loads(late.recv(timeout=5)) for _ in range(3)]
        assert replay[-1]["type"] == "state" and replay[-1]["job"]["status"] == "CANCELLED"


def test_permission_change_bites_within_one_second(
    etl_server: ThreadServer, tokens: dict[str, str], backend_process: PulseProcess
) -> None:
    backend = backend_process.base_url + API  # type: ignore[attr-defined]
    url = etl_server.base_url + API + "/integrations"
    token = tokens["user"]
    assert httpx.get(url, headers=bearer(token)).status_code == 200  # cached now
    user_id = httpx.get(backend + "/auth/me", headers=bearer(token)).json()["user"]["id"]
    changed = httpx.put(
        f"{backend}/admin/users/{user_id}/permissions",
        headers=bearer(tokens["admin"]),
        json={"overrides": [{"resource": "integrations", "action": "read", "granted": False}]},
    )
    assert changed.status_code == 200, changed.text
    started = time.monotonic()
    while httpx.get(url, headers=bearer(token)).status_code == 200:
        assert time.monotonic() - started < 1.0, "the ETL Service still grants a withdrawn permission"
        time.sleep(0.01)
    assert httpx.get(url, headers=bearer(token)).status_code in (401, 403)


def test_listener_reconnects_by_itself_and_revocations_still_bite(
    etl_server: ThreadServer, tokens: dict[str, str], backend_process: PulseProcess, clean_engine: Engine
) -> None:
    listener = etl_server.app.state.listener
    connections = listener.connections
    with clean_engine.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
        ).all()
    assert killed, "no listening connection found"
    deadline = time.monotonic() + 10
    while listener.connections == connections or not listener.connected.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    wait_for_listener(etl_server)
    url = etl_server.base_url + API + "/integrations"
    token = tokens["admin"]
    assert httpx.get(url, headers=bearer(token)).status_code == 200
    httpx.post(backend_process.base_url + API + "/auth/logout", headers=bearer(token))  # type: ignore[attr-defined]
    started = time.monotonic()
    while httpx.get(url, headers=bearer(token)).status_code != 401:
        assert time.monotonic() - started < 1.0
        time.sleep(0.01)


def test_cors_allows_the_web_app_origin_only(etl_server: ThreadServer) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    url = etl_server.base_url + API + "/integrations"
    allowed = httpx.options(url, headers={"Origin": "http://localhost:5173", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    refused = httpx.options(url, headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-credentials" not in refused.headers


def test_a_backend_that_hangs_is_503_not_a_hang(settings: Settings) -> None:
    import socket
    import threading

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    backend_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    app_settings = settings.model_copy(update={"backend_service_url": backend_url, "auth_timeout_seconds": 0.5})
    server = ThreadServer(create_app(app_settings)).start()
    try:
        started = time.monotonic()
        response = httpx.get(server.base_url + API + "/integrations", headers=bearer("some-token"), timeout=10)
        assert response.status_code == 503 and response.json()["error"]["code"] == "dependency_unavailable"
        assert time.monotonic() - started < 3
    finally:
        server.stop()
        for conn in accepted:
            conn.close()
        silent.close()
