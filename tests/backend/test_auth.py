"""Login, validate, me, logout, change password and current session over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from pulse.core.security import hash_iterations, hash_password, token_digest
from tests.backend.conftest import API, Tenant, bearer, login, start_backend, token_of
from tests.factories import DEFAULT_PASSWORD, make_client

USER_FIELDS = {"id", "email", "first_name", "last_name", "role", "is_admin", "client_id"}


def test_login_answers_token_session_user_and_permissions(
    api: httpx.Client, tenant: Tenant, clean_engine: Engine
) -> None:
    body = login(api, tenant.user_email.upper(), headers={"User-Agent": "pytest-browser/1"})
    assert set(body) == {"token", "token_type", "session_id", "expires_at", "user", "permissions"}
    assert body["token_type"] == "bearer"
    assert set(body["user"]) == USER_FIELDS
    assert body["user"]["email"] == tenant.user_email and body["user"]["role"] == "user"
    assert body["user"]["client_id"] == tenant.client_id and body["user"]["is_admin"] is False
    assert {(p["resource"], p["action"]) for p in body["permissions"]} == {
        ("dashboards", "read"),
        ("integrations", "read"),
        ("etl_jobs", "read"),
        ("logs", "read"),
    }
    with clean_engine.connect() as conn:
        row = conn.execute(
            text("SELECT token_hash, ip_address, user_agent, active FROM user_sessions WHERE id = :id"),
            {"id": body["session_id"]},
        ).one()
    assert row.token_hash == token_digest(body["token"])
    assert row.ip_address == "127.0.0.1" and row.user_agent == "pytest-browser/1" and row.active


def test_validate_answers_user_session_permissions(api: httpx.Client, tenant: Tenant) -> None:
    logged = login(api, tenant.admin_email)
    response = api.post("/auth/validate", headers=bearer(logged["token"]))
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["session_id"] == logged["session_id"]
    assert body["user"] == logged["user"] and body["permissions"] == logged["permissions"]
    assert body["expires_at"]
    assert len(body["permissions"]) == 8 * 4


def test_every_login_opens_a_new_session_with_a_new_token(api: httpx.Client, tenant: Tenant) -> None:
    first, second = login(api, tenant.user_email), login(api, tenant.user_email)
    assert first["session_id"] != second["session_id"] and first["token"] != second["token"]
    # Each browser keeps its own session: the first stays valid after the second login.
    assert api.post("/auth/validate", headers=bearer(first["token"])).status_code == 200
    assert api.post("/auth/validate", headers=bearer(second["token"])).status_code == 200


def test_logout_ends_the_session_and_is_idempotent(api: httpx.Client, tenant: Tenant) -> None:
    logged = login(api, tenant.user_email)
    headers = bearer(logged["token"])
    first = api.post("/auth/logout", headers=headers)
    assert first.status_code == 200 and first.json()["session_id"] == logged["session_id"]
    assert api.post("/auth/logout", headers=headers).status_code == 200
    assert api.post("/auth/validate", headers=headers).status_code == 401
    assert api.get("/auth/me", headers=headers).status_code == 401


def test_invalidate_session_ends_only_the_calling_session(api: httpx.Client, tenant: Tenant) -> None:
    one, two = token_of(api, tenant.user_email), token_of(api, tenant.user_email)
    assert api.post("/admin/auth/invalidate-session", headers=bearer(one)).status_code == 200
    assert api.post("/auth/validate", headers=bearer(one)).status_code == 401
    assert api.post("/auth/validate", headers=bearer(two)).status_code == 200


def test_me_and_current_session(api: httpx.Client, tenant: Tenant) -> None:
    logged = login(api, tenant.view_email, headers={"User-Agent": "agent-x"})
    me = api.get("/auth/me", headers=bearer(logged["token"])).json()
    assert me["user"]["email"] == tenant.view_email
    assert me["permissions"] == [{"resource": "dashboards", "action": "read"}]
    current = api.get("/admin/current-session", headers=bearer(logged["token"])).json()
    assert set(current) == {
        "session_id",
        "user_id",
        "created_at",
        "last_activity_at",
        "expires_at",
        "ip_address",
        "user_agent",
    }
    assert current["session_id"] == logged["session_id"] and current["user_id"] == tenant.view_id
    assert current["user_agent"] == "agent-x"


def test_missing_or_malformed_authorization_is_401_in_the_error_shape(api: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}, bearer("not-a-jwt")):
        response = api.post("/auth/validate", headers=headers)
        assert response.status_code == 401, headers
        assert set(response.json()["error"]) >= {"code", "message", "request_id"}


def test_change_password_revokes_other_sessions_and_old_password(api: httpx.Client, tenant: Tenant) -> None:
    keep, other = token_of(api, tenant.user_email), token_of(api, tenant.user_email)
    new_password = "a much better passphrase 42"
    response = api.post(
        "/auth/change-password",
        headers=bearer(keep),
        json={"current_password": DEFAULT_PASSWORD, "new_password": new_password},
    )
    assert response.status_code == 200 and response.json()["sessions_ended"] == 1
    assert api.post("/auth/validate", headers=bearer(keep)).status_code == 200
    assert api.post("/auth/validate", headers=bearer(other)).status_code == 401
    assert api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).status_code == 401
    login(api, tenant.user_email, new_password)


def test_change_password_checks_current_password_and_policy(api: httpx.Client, tenant: Tenant) -> None:
    token = token_of(api, tenant.user_email)
    wrong = api.post(
        "/auth/change-password",
        headers=bearer(token),
        json={"current_password": "not my password!!", "new_password": "a much better passphrase"},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "current_password"
    short = api.post(
        "/auth/change-password",
        headers=bearer(token),
        json={"current_password": DEFAULT_PASSWORD, "new_password": "short"},
    )
    assert short.status_code == 422 and short.json()["error"]["field"] == "password"
    as_email = api.post(
        "/auth/change-password",
        headers=bearer(token),
        json={"current_password": DEFAULT_PASSWORD, "new_password": tenant.user_email.upper()},
    )
    assert as_email.status_code == 422
    login(api, tenant.user_email)  # nothing changed


def test_login_upgrades_a_weaker_hash(
    api: httpx.Client, tenant: Tenant, clean_engine: Engine, settings: Settings
) -> None:
    with clean_engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET password_hash = :h WHERE id = :id"),
            {"h": hash_password(DEFAULT_PASSWORD, iterations=1000), "id": tenant.user_id},
        )
    login(api, tenant.user_email)
    with clean_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM users WHERE id = :id"), {"id": tenant.user_id}
        ).scalar_one()
    assert hash_iterations(stored) == settings.password_iterations
    login(api, tenant.user_email)


def test_a_login_racing_a_password_change_cannot_outlive_it(
    tenant: Tenant, settings: Settings, clean_engine: Engine
) -> None:
    """A login with the old password that overlaps a change either ends with the others, or fails.

    The Backend asks for one iteration more than stored hashes have, so each of those logins would also
    upgrade the hash it checked: it must never write the old password back over the new one.
    """
    old, new = DEFAULT_PASSWORD, "a brand new passphrase"
    stronger = {"password_iterations": settings.password_iterations + 1, "login_max_failures": 1000}
    server = start_backend(settings.model_copy(update=stronger))
    try:
        with httpx.Client(base_url=server.base_url + API, timeout=60) as api:
            for _ in range(4):
                weak = hash_password(old, iterations=settings.password_iterations)
                with clean_engine.begin() as conn:
                    conn.execute(
                        text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": weak, "id": tenant.user_id}
                    )
                owner = token_of(api, tenant.user_email, old)

                def change() -> httpx.Response:
                    body = {"current_password": old, "new_password": new}
                    return api.post("/auth/change-password", headers=bearer(owner), json=body)

                def racing_login() -> httpx.Response:
                    time.sleep(0.02)  # inside the change: its two hashes take tens of milliseconds
                    return api.post("/auth/login", json={"email": tenant.user_email, "password": old})

                with ThreadPoolExecutor(max_workers=2) as pool:
                    changed, raced = pool.submit(change), pool.submit(racing_login)
                    assert changed.result().status_code == 200, changed.result().text
                    if raced.result().status_code == 200:
                        assert (
                            api.post("/auth/validate", headers=bearer(raced.result().json()["token"])).status_code
                            == 401
                        )
                    else:
                        assert raced.result().status_code == 401
                assert api.post("/auth/login", json={"email": tenant.user_email, "password": old}).status_code == 401
                token_of(api, tenant.user_email, new)
    finally:
        server.stop()


def test_cli_created_user_can_log_in(api: httpx.Client, clean_engine: Engine, settings: Settings) -> None:
    client_id = make_client(clean_engine, "Cli Corp")
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "JWT_SECRET_KEY": settings.jwt_secret(),
        "PULSE_DATA_DIR": str(settings.data_dir),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pulse.cli",
            "user",
            "create",
            "--client",
            str(client_id),
            "--email",
            "Cli.Admin@Example.com",
            "--role",
            "admin",
            "--password-stdin",
            "--json",
        ],
        input="cli password is long enough\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    body = login(api, "cli.admin@example.com", "cli password is long enough")
    assert body["user"]["id"] == created["id"] and body["user"]["is_admin"] is True
