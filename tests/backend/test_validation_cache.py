"""The Backend's validation cache: the same answers as the database, and never a revoked caller for long.

Revocations made by a Backend apply to its own cache before it answers; those made elsewhere (another
replica, the CLI) arrive as notifications within milliseconds; edits nobody announces are bounded by each
entry's deadline (the next activity write, idle expiry, the session's end, the TTL setting).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.backend.clients import service as client_service
from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work
from pulse.core.security import token_digest
from tests.backend.conftest import API, BackendServer, Tenant, bearer, login, start_backend
from tests.servers import wait_for_listener

WEB_APP = "http://localhost:5173"


def _start(settings: Settings) -> BackendServer:
    server = start_backend(settings)
    wait_for_listener(server)
    return server


@pytest.fixture
def replicas(clean_engine: Engine, settings: Settings) -> Iterator[tuple[BackendServer, BackendServer]]:
    """Two Backends on one database, both listening."""
    first, second = _start(settings), _start(settings)
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def short_lived(clean_engine: Engine, settings: Settings) -> Iterator[BackendServer]:
    """A Backend that trusts a cached caller for half a second at most."""
    server = _start(settings.model_copy(update={"auth_cache_ttl_seconds": 0.5}))
    yield server
    server.stop()


def _validate(server: BackendServer, token: str, **headers: str) -> httpx.Response:
    return httpx.post(server.base_url + API + "/auth/validate", headers={**bearer(token), **headers})


def _cached(server: BackendServer, token: str) -> bool:
    return server.app.state.auth_cache.get(token_digest(token)) is not None


def _cached_token(server: BackendServer, email: str) -> str:
    """Log in and validate once on `server`, so that its cache holds the caller."""
    token = str(login(httpx.Client(base_url=server.base_url + API), email)["token"])
    assert _validate(server, token).status_code == 200 and _cached(server, token)
    return token


def _within(seconds: float, condition: Callable[[], bool]) -> float:
    """Poll until the condition holds; fail after `seconds`. Returns how long it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition still false"
        time.sleep(0.005)
    return time.monotonic() - started


def _sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_a_cached_answer_is_the_answer_the_route_builds(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant
) -> None:
    server, _ = replicas
    token = login(httpx.Client(base_url=server.base_url + API), tenant.user_email)["token"]
    assert not _cached(server, token)
    first = _validate(server, token, **{"X-Request-ID": "first-call"})
    assert first.status_code == 200 and _cached(server, token)
    again = _validate(server, token, **{"X-Request-ID": "second-call"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["user"]["email"] == tenant.user_email
    assert (first.headers["x-request-id"], again.headers["x-request-id"]) == ("first-call", "second-call")
    assert _validate(server, token).headers["x-request-id"]  # minted when not sent


def test_a_browser_still_gets_its_cors_headers_from_a_cached_token(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant
) -> None:
    server, _ = replicas
    token = _cached_token(server, tenant.user_email)
    allowed = _validate(server, token, Origin=WEB_APP)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == WEB_APP
    assert allowed.headers["access-control-allow-credentials"] == "true"
    foreign = _validate(server, token, Origin="https://evil.example")
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-credentials" not in foreign.headers


def test_a_token_the_cache_knows_is_still_checked_for_its_shape(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant
) -> None:
    server, _ = replicas
    token = _cached_token(server, tenant.user_email)
    url = server.base_url + API + "/auth/validate"
    assert httpx.post(url, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert httpx.post(url, headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    assert httpx.get(url, headers=bearer(token)).status_code == 405
    # Two Authorization headers: the framework reads the first; the cache must not answer for the second.
    doubled = httpx.post(url, headers=[("Authorization", "Bearer junk"), ("Authorization", f"Bearer {token}")])
    assert doubled.status_code == 401


def test_logout_on_one_replica_reaches_the_other_within_a_second(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant
) -> None:
    first, second = replicas
    token = _cached_token(second, tenant.user_email)
    assert httpx.post(first.base_url + API + "/auth/logout", headers=bearer(token)).status_code == 200
    assert _validate(first, token).status_code == 401  # the replica that logged out: at once
    _within(1.0, lambda: _validate(second, token).status_code == 401)


def test_a_role_change_shows_in_the_next_validation(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant
) -> None:
    first, second = replicas
    api = httpx.Client(base_url=first.base_url + API)
    token = login(api, tenant.view_email)["token"]
    admin = login(api, tenant.admin_email)["token"]
    assert _validate(first, token).json()["user"]["role"] == "view"
    assert _validate(second, token).json()["user"]["role"] == "view"
    changed = api.patch(f"/admin/users/{tenant.view_id}", headers=bearer(admin), json={"role": "user"})
    assert changed.status_code == 200, changed.text
    assert _validate(first, token).json()["user"]["role"] == "user"
    _within(1.0, lambda: _validate(second, token).json()["user"]["role"] == "user")
    renamed = api.patch(f"/admin/users/{tenant.view_id}", headers=bearer(admin), json={"first_name": "Vera"})
    assert renamed.status_code == 200
    assert _validate(first, token).json()["user"]["first_name"] == "Vera"


def test_deactivating_the_tenant_from_the_cli_reaches_the_cache_within_a_second(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant, clean_engine: Engine
) -> None:
    server, _ = replicas
    token = _cached_token(server, tenant.user_email)
    with unit_of_work(clean_engine) as db_session:  # what `pulse client deactivate` runs
        client_service.deactivate(db_session=db_session, client_id=tenant.client_id)
    _within(1.0, lambda: _validate(server, token).status_code == 401)


def test_revocations_missed_while_the_listener_was_down_still_bite(
    replicas: tuple[BackendServer, BackendServer], tenant: Tenant, clean_engine: Engine
) -> None:
    server, _ = replicas
    token = _cached_token(server, tenant.user_email)
    listener = server.app.state.listener
    connections = listener.connections
    with clean_engine.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
        )
        # Revoked with no notification at all: only dropping the cache on the outage can catch it.
        conn.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": tenant.user_id})
    _within(10, lambda: listener.connections > connections and listener.connected.is_set())
    assert _validate(server, token).status_code == 401


def test_an_unannounced_edit_bites_when_the_entry_reaches_its_ttl(short_lived: BackendServer, tenant: Tenant) -> None:
    token = _cached_token(short_lived, tenant.user_email)
    _sql(short_lived.app.state.engine, "UPDATE users SET active = false WHERE id = :id", id=tenant.user_id)
    waited = _within(2.0, lambda: _validate(short_lived, token).status_code == 401)
    assert waited <= 0.5 + 0.3


@pytest.mark.parametrize(
    ("due_soon", "then"),
    [
        # Last written 59.7 s ago: the next activity write is due in 0.3 s; by then the session is idle.
        ("last_activity_at = now() - interval '59.7 seconds'", "last_activity_at = now() - interval '2 hours'"),
        # The session itself ends in 0.3 s.
        ("expires_at = now() + interval '0.3 seconds'", None),
    ],
    ids=["next-activity-write", "session-end"],
)
def test_a_cached_caller_is_re_read_by_the_deadline_its_session_sets(
    replicas: tuple[BackendServer, BackendServer],
    tenant: Tenant,
    clean_engine: Engine,
    due_soon: str,
    then: str | None,
) -> None:
    server, _ = replicas
    session = login(httpx.Client(base_url=server.base_url + API), tenant.user_email)
    token, sid = session["token"], session["session_id"]
    _sql(clean_engine, f"UPDATE user_sessions SET {due_soon} WHERE id = :id", id=sid)
    assert _validate(server, token).status_code == 200 and _cached(server, token)
    if then:
        _sql(clean_engine, f"UPDATE user_sessions SET {then} WHERE id = :id", id=sid)
    waited = _within(2.0, lambda: _validate(server, token).status_code == 401)
    assert waited <= 0.3 + 0.3
