"""Service plumbing: health and readiness, database outages, CORS, request ids, and `pulse backend`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from pulse.core.config import Settings
from tests.backend.conftest import API, BackendServer, Tenant, start_backend
from tests.servers import PulseProcess, free_port, wait_for_health

WEB_ORIGIN = "http://localhost:5173"


@pytest.fixture
def db_down(clean_engine: Engine, settings: Settings) -> Iterator[BackendServer]:
    """A Backend Service whose database is unreachable (nothing listens on its port)."""
    dead = settings.model_copy(update={"database_url": f"postgresql://pulse@127.0.0.1:{free_port()}/pulse"})
    server = start_backend(dead)
    yield server
    server.stop()


def test_health_and_ready(backend: BackendServer) -> None:
    assert httpx.get(backend.base_url + "/health").json() == {"status": "ok"}
    assert httpx.get(backend.base_url + "/ready").json() == {"status": "ready"}


def test_database_outage_is_503_never_500(db_down: BackendServer) -> None:
    base = db_down.base_url
    assert httpx.get(base + "/health").status_code == 200
    ready = httpx.get(base + "/ready", timeout=30)
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "dependency_unavailable"
    login = httpx.post(base + API + "/auth/login", json={"email": "a@example.com", "password": "whatever!"}, timeout=30)
    assert login.status_code == 503
    # A well-formed token still needs the database to be checked: 503, not 401 and not 500.
    import uuid
    from datetime import UTC, datetime, timedelta

    from pulse.backend.auth import tokens

    now = datetime.now(UTC)
    token = tokens.issue(
        secret="test-" + "k" * 48,
        algorithm="HS256",
        user_id=1,
        session_id=uuid.uuid4(),
        client_id=1,
        role="admin",
        issued_at=now,
        expires_at=now + timedelta(hours=1),
    )
    validate = httpx.post(base + API + "/auth/validate", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert validate.status_code == 503 and validate.json()["error"]["code"] == "dependency_unavailable"


def test_cors_allows_credentials_only_for_configured_origins(backend: BackendServer) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = httpx.options(backend.base_url + API + "/auth/login", headers={"Origin": WEB_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == WEB_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = httpx.options(
        backend.base_url + API + "/auth/login", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-credentials" not in other.headers
    simple = httpx.get(backend.base_url + "/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-credentials" not in simple.headers
    ok = httpx.get(backend.base_url + "/health", headers={"Origin": WEB_ORIGIN})
    assert ok.headers["access-control-allow-origin"] == WEB_ORIGIN
    assert ok.headers["access-control-allow-credentials"] == "true"


def test_request_id_is_echoed_and_in_errors(api: httpx.Client, tenant: Tenant) -> None:
    response = api.get("/admin/users", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["error"] == {
        "code": "not_authenticated",
        "message": "Not authenticated",
        "request_id": "trace-123",
    }
    assert response.headers["www-authenticate"] == "Bearer"


def test_malformed_bodies_are_422_naming_the_field(api: httpx.Client) -> None:
    missing = api.post("/auth/login", json={"email": "a@example.com"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "password"
    nul = api.post("/auth/login", json={"email": "a\u0000@example.com", "password": "x" * 12})
    assert nul.status_code == 422 and nul.json()["error"]["field"] == "email"
    garbage = api.post("/auth/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 422


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PULSE_DEMO", "JWT_SECRET_KEY")}
    env.update(
        DATABASE_URL=settings.database_url or "",
        PULSE_DATA_DIR=str(settings.data_dir),
        PULSE_ENCRYPTION_KEY="ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        **extra,
    )
    return env


def test_pulse_backend_refuses_a_placeholder_secret(settings: Settings, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pulse.cli", "backend", "--port", str(free_port())],
        env=_env(settings, JWT_SECRET_KEY="your-secret-key-here"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 6
    assert "JWT_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_pulse_backend_serves_logins(settings: Settings, tenant: Tenant, tmp_path: Path) -> None:
    port = free_port()
    process = PulseProcess(
        ["backend", "--port", str(port)], _env(settings, JWT_SECRET_KEY="p" * 48), tmp_path / "backend.log"
    ).start()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, timeout=60)
        answer = httpx.post(
            base + API + "/auth/login", json={"email": tenant.admin_email, "password": "correct horse battery staple"}
        )
        assert answer.status_code == 200
        assert httpx.get(base + "/ready").status_code == 200
    finally:
        assert process.stop() is not None
    assert "correct horse battery staple" not in process.logs()


def test_dev_mode_generates_and_keeps_a_secret(clean_engine: Engine, settings: Settings, tenant: Tenant) -> None:
    dev = settings.model_copy(update={"jwt_secret_key": None, "debug": True})
    first = start_backend(dev)
    try:
        token = httpx.post(
            first.base_url + API + "/auth/login",
            json={"email": tenant.user_email, "password": "correct horse battery staple"},
        ).json()["token"]
    finally:
        first.stop()
    second = start_backend(dev)  # a restart reads the same persisted secret
    try:
        answer = httpx.post(second.base_url + API + "/auth/validate", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
    finally:
        second.stop()
    assert (settings.data_dir / "dev-secrets.json").exists()
