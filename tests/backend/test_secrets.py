"""Tokens, passwords and password hashes never reach a log line or a response."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.core.logging import configure_logging
from tests.backend.conftest import Tenant, bearer
from tests.factories import DEFAULT_PASSWORD

WRONG_PASSWORD = "Hunter2-wrong-password-XYZ"
NEW_PASSWORD = "brand new passphrase 9000"


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line of the process, at DEBUG, through Pulse's real pipeline (JSON renderer)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", "json")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    # SQL statements with their parameters too: the harshest place for a hash or digest to leak.
    sql = logging.getLogger("sqlalchemy.engine")
    sql_level = sql.level
    sql.setLevel(logging.INFO)
    yield buffer
    sql.setLevel(sql_level)
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_login_and_failed_login_log_no_secret(
    backend: object, api: httpx.Client, tenant: Tenant, clean_engine: Engine, captured_logs: io.StringIO
) -> None:
    responses: list[str] = []

    def call(method: str, path: str, **kwargs: object) -> httpx.Response:
        response = api.request(method, path, **kwargs)  # type: ignore[arg-type]
        responses.append(response.text + str(response.headers))
        return response

    assert call("POST", "/auth/login", json={"email": tenant.user_email, "password": WRONG_PASSWORD}).status_code == 401
    assert (
        call("POST", "/auth/login", json={"email": "nobody@example.com", "password": WRONG_PASSWORD}).status_code == 401
    )
    ok = call("POST", "/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD})
    token = ok.json()["token"]
    headers = bearer(token)
    call("POST", "/auth/validate", headers=headers)
    call("GET", "/auth/me", headers=headers)
    call("POST", "/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}, headers=headers)
    admin_token = call("POST", "/auth/login", json={"email": tenant.admin_email, "password": DEFAULT_PASSWORD}).json()[
        "token"
    ]
    call("GET", "/admin/users", headers=bearer(admin_token))
    call("GET", f"/admin/users/{tenant.user_id}", headers=bearer(admin_token))
    call("GET", "/admin/audit", headers=bearer(admin_token))
    call("GET", "/admin/sessions", headers=bearer(admin_token))
    call(
        "POST",
        "/admin/users",
        headers=bearer(admin_token),
        json={"email": "fresh@acme.example.com", "password": NEW_PASSWORD, "role": "view"},
    )
    call(
        "POST",
        "/auth/change-password",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )
    call("POST", "/auth/logout", headers=headers)
    call("POST", "/auth/validate", headers=headers)  # a 401 with the token in the request

    with clean_engine.connect() as conn:
        hashes = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    logs = captured_logs.getvalue()
    # The capture is real: the events we expect are there.
    assert "login_failed" in logs and "login_succeeded" in logs and "session_invalidated" in logs
    assert "UPDATE users SET password_hash" in logs
    secrets = [DEFAULT_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, token, token.split(".")[2], admin_token, *hashes]
    for secret in secrets:
        assert secret not in logs, f"a secret reached the logs: {secret[:12]}..."
    bodies = "\n".join(responses[:2] + responses[3:])  # the login answer itself carries its own token, by design
    for secret in [DEFAULT_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, *hashes]:
        assert secret not in bodies
    assert "pbkdf2" not in bodies and "password_hash" not in bodies
    assert token not in "\n".join(responses[3:])
