"""Revocation events: observed on a real LISTEN connection, sent in the transaction that changes access."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import Engine

from pulse.backend.clients import service as client_service
from pulse.core.auth_events import CHANNEL, AuthEvent
from pulse.core.db.engine import unit_of_work
from tests.backend.conftest import Tenant, bearer, login, token_of
from tests.factories import DEFAULT_PASSWORD


class Listener:
    """A LISTEN connection collecting auth events."""

    def __init__(self, url: str):
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"LISTEN {CHANNEL}")

    def drain(self, wait: float = 0.3) -> list[AuthEvent]:
        """Events that arrived by now (waiting briefly for stragglers)."""
        events = [AuthEvent.from_payload(n.payload) for n in self.conn.notifies(timeout=wait)]
        return events

    def wait_for(self, predicate: object, timeout: float = 5.0) -> list[AuthEvent]:
        """Collect events until one matches or the deadline passes."""
        seen: list[AuthEvent] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for note in self.conn.notifies(timeout=0.1, stop_after=1):
                seen.append(AuthEvent.from_payload(note.payload))
            if any(predicate(e) for e in seen):  # type: ignore[operator]
                return seen
        raise AssertionError(f"no matching event; saw {seen}")

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def listener(database_url: str) -> Iterator[Listener]:
    listening = Listener(database_url)
    yield listening
    listening.close()


def test_logout_sends_sessions_revoked_with_the_id(api: httpx.Client, tenant: Tenant, listener: Listener) -> None:
    logged = login(api, tenant.user_email)
    listener.drain(0.05)
    api.post("/auth/logout", headers=bearer(logged["token"]))
    events = listener.wait_for(lambda e: e.kind == "sessions_revoked")
    event = next(e for e in events if e.kind == "sessions_revoked")
    assert event.session_ids == [logged["session_id"]]
    assert event.user_id == tenant.user_id and event.client_id == tenant.client_id
    assert logged["token"] not in str(events)
    # A second logout changes nothing and says nothing.
    api.post("/auth/logout", headers=bearer(logged["token"]))
    assert listener.drain() == []


def test_terminating_a_session_and_all_of_a_users(api: httpx.Client, tenant: Tenant, listener: Listener) -> None:
    admin = token_of(api, tenant.admin_email)
    one, two = login(api, tenant.user_email), login(api, tenant.user_email)
    listener.drain(0.05)
    assert api.delete(f"/admin/sessions/{one['session_id']}", headers=bearer(admin)).status_code == 200
    event = listener.wait_for(lambda e: e.kind == "sessions_revoked")[-1]
    assert event.session_ids == [one["session_id"]]
    response = api.post(f"/admin/users/{tenant.user_id}/sessions/terminate", headers=bearer(admin))
    assert response.json()["sessions_ended"] == 1
    event = listener.wait_for(lambda e: e.kind == "sessions_revoked")[-1]
    assert event.session_ids == [two["session_id"]] and event.user_id == tenant.user_id


def test_deactivating_a_user_revokes_their_sessions(api: httpx.Client, tenant: Tenant, listener: Listener) -> None:
    admin = token_of(api, tenant.admin_email)
    sessions = {login(api, tenant.user_email)["session_id"] for _ in range(2)}
    listener.drain(0.05)
    api.post(f"/admin/users/{tenant.user_id}/deactivate", headers=bearer(admin))
    events = listener.wait_for(lambda e: e.kind == "sessions_revoked")
    revoked = next(e for e in events if e.kind == "sessions_revoked")
    assert set(revoked.session_ids) == sessions and revoked.user_id == tenant.user_id
    events += listener.drain()
    assert any(e.kind == "user_changed" and e.user_id == tenant.user_id for e in events)


def test_role_and_permission_changes_send_user_changed(api: httpx.Client, tenant: Tenant, listener: Listener) -> None:
    admin = token_of(api, tenant.admin_email)
    listener.drain(0.05)
    api.patch(f"/admin/users/{tenant.view_id}", headers=bearer(admin), json={"role": "user"})
    event = listener.wait_for(lambda e: e.kind == "user_changed")[-1]
    assert event.user_id == tenant.view_id and event.client_id == tenant.client_id
    api.put(
        f"/admin/users/{tenant.view_id}/permissions",
        headers=bearer(admin),
        json={"overrides": [{"resource": "logs", "action": "read", "granted": False}]},
    )
    event = listener.wait_for(lambda e: e.kind == "user_changed")[-1]
    assert event.user_id == tenant.view_id
    # A rename changes the validation answer (it names the user), so caches hear of it too.
    api.patch(f"/admin/users/{tenant.view_id}", headers=bearer(admin), json={"first_name": "Vera"})
    event = listener.wait_for(lambda e: e.kind == "user_changed")[-1]
    assert event.user_id == tenant.view_id


def test_password_change_revokes_the_other_sessions(api: httpx.Client, tenant: Tenant, listener: Listener) -> None:
    keep, other = login(api, tenant.user_email), login(api, tenant.user_email)
    listener.drain(0.05)
    api.post(
        "/auth/change-password",
        headers=bearer(keep["token"]),
        json={"current_password": DEFAULT_PASSWORD, "new_password": "another long passphrase"},
    )
    event = listener.wait_for(lambda e: e.kind == "sessions_revoked")[0]
    assert event.session_ids == [other["session_id"]]


def test_client_deactivation_sends_client_changed(
    api: httpx.Client, tenant: Tenant, listener: Listener, clean_engine: Engine
) -> None:
    session_id = login(api, tenant.user_email)["session_id"]
    listener.drain(0.05)
    with unit_of_work(clean_engine) as db_session:
        client_service.deactivate(db_session=db_session, client_id=tenant.client_id)
    events = listener.wait_for(lambda e: e.kind == "client_changed")
    assert any(e.kind == "sessions_revoked" and session_id in e.session_ids for e in events)
    assert any(e.kind == "client_changed" and e.client_id == tenant.client_id for e in events)


def test_no_event_when_the_change_is_rolled_back(
    api: httpx.Client, tenant: Tenant, listener: Listener, clean_engine: Engine
) -> None:
    login(api, tenant.user_email)
    listener.drain(0.05)
    with pytest.raises(RuntimeError), unit_of_work(clean_engine) as db_session:
        client_service.deactivate(db_session=db_session, client_id=tenant.client_id)
        raise RuntimeError("abort")
    assert listener.drain() == []


def test_many_sessions_are_batched_into_payloads_that_fit(
    api: httpx.Client, tenant: Tenant, listener: Listener, clean_engine: Engine
) -> None:
    from sqlalchemy import text

    with clean_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_sessions (client_id, user_id, token_hash, expires_at) "
                "SELECT :c, :u, md5(g::text), now() + interval '1 hour' FROM generate_series(1, 400) g"
            ),
            {"c": tenant.client_id, "u": tenant.user_id},
        )
    admin = token_of(api, tenant.admin_email)
    listener.drain(0.05)
    api.post(f"/admin/users/{tenant.user_id}/deactivate", headers=bearer(admin))
    events: list[AuthEvent] = []
    deadline = time.monotonic() + 10
    while sum(len(e.session_ids) for e in events) < 400 and time.monotonic() < deadline:
        events += [e for e in listener.drain(0.2) if e.kind == "sessions_revoked"]
    assert sum(len(e.session_ids) for e in events) == 400 and len(events) == 3
    assert all(len(e.to_payload()) < 8000 for e in events)
