"""Login throttling per email and per IP, its back-off and reset; no user enumeration."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from tests.backend.conftest import API, BackendServer, Tenant, login, start_backend
from tests.factories import DEFAULT_PASSWORD

WRONG = "definitely the wrong password"


def _attempt(api: httpx.Client, email: str, password: str = WRONG, **kwargs: object) -> httpx.Response:
    return api.post("/auth/login", json={"email": email, "password": password}, **kwargs)  # type: ignore[arg-type]


def _unlock(engine: Engine) -> None:
    """Let every lock run out, as time would."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE login_throttles SET locked_until = now() - interval '1 second'"))


def test_five_failures_lock_the_email_even_for_the_right_password(
    api: httpx.Client, tenant: Tenant, clean_engine: Engine
) -> None:
    for _ in range(5):
        assert _attempt(api, tenant.user_email).status_code == 401
    blocked = _attempt(api, tenant.user_email, DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert blocked.json()["error"]["code"] == "throttled"
    # The same five failures locked this IP too; without that lock, other emails are not affected.
    assert _attempt(api, tenant.admin_email, DEFAULT_PASSWORD).status_code == 429
    with clean_engine.begin() as conn:
        conn.execute(text("DELETE FROM login_throttles WHERE scope = 'ip'"))
    login(api, tenant.admin_email)
    assert _attempt(api, tenant.user_email, DEFAULT_PASSWORD).status_code == 429


def test_throttled_attempts_are_audited(api: httpx.Client, tenant: Tenant, clean_engine: Engine) -> None:
    for _ in range(5):
        assert _attempt(api, tenant.user_email).status_code == 401
    blocked = _attempt(api, tenant.user_email, DEFAULT_PASSWORD, headers={"X-Request-ID": "blocked-1"})
    assert blocked.status_code == 429
    with clean_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT client_id, user_id, actor_email, request_id, details FROM audit_events "
                "WHERE event_type = 'login_throttled'"
            )
        ).all()
    assert [(r.client_id, r.user_id, r.actor_email, r.request_id) for r in rows] == [
        (tenant.client_id, tenant.user_id, tenant.user_email, "blocked-1")
    ]
    assert rows[0].details["retry_after"] == int(blocked.headers["Retry-After"])
    # An unknown email is throttled too (the IP is locked), and audited without a tenant.
    assert _attempt(api, "nobody@nowhere.example").status_code == 429
    with clean_engine.connect() as conn:
        tenants = conn.execute(
            text("SELECT client_id FROM audit_events WHERE event_type = 'login_throttled' ORDER BY id")
        ).scalars()
        assert list(tenants) == [tenant.client_id, None]


def test_backoff_doubles_beyond_the_limit(api: httpx.Client, tenant: Tenant, clean_engine: Engine) -> None:
    for _ in range(5):
        _attempt(api, tenant.view_email)
    first = int(_attempt(api, tenant.view_email).headers["Retry-After"])
    _unlock(clean_engine)
    assert _attempt(api, tenant.view_email).status_code == 401  # the sixth failure
    second = int(_attempt(api, tenant.view_email).headers["Retry-After"])
    _unlock(clean_engine)
    assert _attempt(api, tenant.view_email).status_code == 401
    third = int(_attempt(api, tenant.view_email).headers["Retry-After"])
    # Each Retry-After counts down from its lock; allow for a slow machine between the failure and the check.
    assert 45 <= first <= 60 and 105 <= second <= 120 and 225 <= third <= 240


def test_success_resets_the_email_counter(api: httpx.Client, tenant: Tenant, clean_engine: Engine) -> None:
    for _ in range(5):
        _attempt(api, tenant.user_email)
    assert _attempt(api, tenant.user_email, DEFAULT_PASSWORD).status_code == 429
    _unlock(clean_engine)
    login(api, tenant.user_email)
    with clean_engine.begin() as conn:  # the IP counter is not reset by a success; keep it out of this test
        conn.execute(text("DELETE FROM login_throttles WHERE scope = 'ip'"))
    for _ in range(4):
        assert _attempt(api, tenant.user_email).status_code == 401
    login(api, tenant.user_email)  # four fresh failures are below the limit


def test_quiet_window_restarts_the_count(api: httpx.Client, tenant: Tenant, clean_engine: Engine) -> None:
    for _ in range(4):
        _attempt(api, tenant.user_email)
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE login_throttles SET last_failure_at = now() - interval '16 minutes'"))
    for _ in range(4):
        assert _attempt(api, tenant.user_email).status_code == 401
    login(api, tenant.user_email)


def test_failures_from_one_ip_across_emails_lock_that_ip(api: httpx.Client, tenant: Tenant) -> None:
    for n in range(5):
        assert _attempt(api, f"nobody{n}@example.com").status_code == 401
    blocked = _attempt(api, tenant.admin_email, DEFAULT_PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1


def test_unknown_emails_are_throttled_like_known_ones(api: httpx.Client) -> None:
    for _ in range(5):
        assert _attempt(api, "ghost@example.com").status_code == 401
    assert _attempt(api, "ghost@example.com").status_code == 429


def test_throttle_counts_are_shared_between_replicas(
    api: httpx.Client, tenant: Tenant, settings: Settings, clean_engine: Engine
) -> None:
    other = start_backend(settings)
    try:
        with httpx.Client(base_url=other.base_url + API) as replica:
            for n in range(5):
                assert _attempt(api if n % 2 else replica, tenant.user_email).status_code == 401
            assert _attempt(replica, tenant.user_email, DEFAULT_PASSWORD).status_code == 429
            assert _attempt(api, tenant.user_email, DEFAULT_PASSWORD).status_code == 429
    finally:
        other.stop()


@pytest.fixture
def proxied(clean_engine: Engine, settings: Settings) -> Iterator[httpx.Client]:
    trusted = settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]})
    server: BackendServer = start_backend(trusted)
    with httpx.Client(base_url=server.base_url + API) as client:
        yield client
    server.stop()


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(proxied: httpx.Client, tenant: Tenant) -> None:
    for n in range(5):
        response = _attempt(proxied, f"nobody{n}@example.com", headers={"X-Forwarded-For": "203.0.113.7"})
        assert response.status_code == 401
    # 203.0.113.7 is locked; another client behind the same proxy is not.
    assert (
        _attempt(proxied, tenant.user_email, DEFAULT_PASSWORD, headers={"X-Forwarded-For": "203.0.113.7"}).status_code
        == 429
    )
    ok = _attempt(proxied, tenant.user_email, DEFAULT_PASSWORD, headers={"X-Forwarded-For": "198.51.100.9"})
    assert ok.status_code == 200
    # The right-most untrusted entry counts: a client cannot dodge by prepending a fake hop.
    spoofed = _attempt(
        proxied, tenant.admin_email, DEFAULT_PASSWORD, headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}
    )
    assert spoofed.status_code == 429


def test_forwarded_for_is_ignored_from_untrusted_peers(api: httpx.Client, tenant: Tenant, clean_engine: Engine) -> None:
    for n in range(5):
        _attempt(api, f"nobody{n}@example.com", headers={"X-Forwarded-For": f"203.0.113.{n}"})
    with clean_engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM login_throttles WHERE scope = 'ip'")).scalars().all()
    assert keys == ["127.0.0.1"]
    assert (
        _attempt(api, tenant.user_email, DEFAULT_PASSWORD, headers={"X-Forwarded-For": "198.51.100.9"}).status_code
        == 429
    )


def test_unknown_email_and_wrong_password_look_the_same(api: httpx.Client, tenant: Tenant) -> None:
    headers = {"X-Request-ID": "same-request-id"}
    unknown = _attempt(api, "nobody@example.com", headers=headers)
    wrong = _attempt(api, tenant.user_email, headers=headers)
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert {k: v for k, v in unknown.headers.items() if k not in ("date",)} == {
        k: v for k, v in wrong.headers.items() if k not in ("date",)
    }
    deactivated_style = _attempt(api, tenant.user_email.upper(), headers=headers)
    assert deactivated_style.content == wrong.content


def test_deactivated_users_and_tenants_look_like_wrong_passwords(
    api: httpx.Client, tenant: Tenant, clean_engine: Engine
) -> None:
    headers = {"X-Request-ID": "same-request-id"}
    wrong = _attempt(api, tenant.user_email, headers=headers)
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": tenant.user_id})
    deactivated_user = _attempt(api, tenant.user_email, DEFAULT_PASSWORD, headers=headers)
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE clients SET active = false WHERE id = :id"), {"id": tenant.client_id})
    deactivated_tenant = _attempt(api, tenant.admin_email, DEFAULT_PASSWORD, headers=headers)
    for answer in (deactivated_user, deactivated_tenant):
        assert answer.status_code == 401
        assert answer.content == wrong.content
        assert answer.headers.get("content-length") == wrong.headers.get("content-length")


def test_unknown_email_costs_a_hash(api: httpx.Client, tenant: Tenant) -> None:
    import time

    def timed(email: str) -> float:
        start = time.perf_counter()
        _attempt(api, email)
        return time.perf_counter() - start

    unknown = sorted(timed(f"ghost{n}@example.com") for n in range(3))[1]
    known = sorted(timed(tenant.user_email) for _ in range(3))[1]
    # Same order of magnitude: a missing hash would make the unknown email several times faster.
    assert unknown > known * 0.5


def test_a_parallel_burst_cannot_outrun_the_email_counter(
    tenant: Tenant, settings: Settings, clean_engine: Engine
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # Ten clients behind a trusted proxy, each with its own address, so only the email counter is in play.
    trusted = settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]})
    server = start_backend(trusted)
    try:

        def guess(n: int) -> int:
            with httpx.Client(base_url=server.base_url + API, timeout=60) as client:
                return _attempt(client, tenant.user_email, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(guess, range(10)))
    finally:
        server.stop()
    assert statuses.count(401) == 5 and statuses.count(429) == 5, statuses


def test_a_parallel_burst_from_one_ip_cannot_outrun_the_ip_counter(api: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def guess(n: int) -> int:  # a different email each time: only the IP counter is in play
        with httpx.Client(base_url=str(api.base_url), timeout=60) as client:
            return _attempt(client, f"sprayed{n}@example.com").status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(12)))
    assert statuses.count(401) == 5 and statuses.count(429) == 7, statuses


def test_parallel_wrong_current_passwords_cannot_outrun_the_counter(api: httpx.Client, tenant: Tenant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    token = login(api, tenant.user_email)["token"]

    def guess(n: int) -> int:
        with httpx.Client(base_url=str(api.base_url), timeout=60) as client:
            return client.post(
                "/auth/change-password",
                headers={"Authorization": f"Bearer {token}"},
                json={"current_password": f"{WRONG} {n}", "new_password": "a brand new passphrase"},
            ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(guess, range(10)))
    assert statuses.count(422) == 5 and statuses.count(429) == 5, statuses


def test_quiet_counters_are_pruned(api: httpx.Client, clean_engine: Engine, settings: Settings) -> None:
    from pulse.backend.auth import throttle
    from pulse.core.db.engine import unit_of_work

    for n in range(3):
        _attempt(api, f"sprayed{n}@example.com")
    with clean_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE login_throttles SET last_failure_at = now() - interval '20 minutes' "
                "WHERE key IN ('sprayed0@example.com', 'sprayed1@example.com')"
            )
        )
        # Locked until recently: must survive, or waiting out a lock would reset the back-off.
        conn.execute(
            text(
                "UPDATE login_throttles SET last_failure_at = now() - interval '20 minutes', "
                "locked_until = now() - interval '5 minutes' WHERE key = 'sprayed1@example.com'"
            )
        )
    with unit_of_work(clean_engine) as db_session:
        assert throttle.prune(db_session=db_session, settings=settings) == 1
    with clean_engine.connect() as conn:
        keys = set(conn.execute(text("SELECT key FROM login_throttles")).scalars())
    assert keys == {"sprayed1@example.com", "sprayed2@example.com", "127.0.0.1"}


def test_failed_logins_prune_now_and_then(
    api: httpx.Client, clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulse.backend.auth import throttle

    _attempt(api, "old@example.com")
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE login_throttles SET last_failure_at = now() - interval '20 minutes'"))
    monkeypatch.setattr(throttle, "PRUNE_PROBABILITY", 1.0)  # the login path runs the prune on this failure
    assert _attempt(api, "new@example.com").status_code == 401
    with clean_engine.connect() as conn:
        rows = conn.execute(text("SELECT key, failures FROM login_throttles ORDER BY key")).all()
    # The old email's counter is gone; the IP's had gone quiet, so this failure started it afresh.
    assert [tuple(r) for r in rows] == [("127.0.0.1", 1), ("new@example.com", 1)]
