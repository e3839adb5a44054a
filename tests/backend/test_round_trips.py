"""Validation costs one database round trip: counted on the wire by a proxy in front of PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from pulse.core.config import Settings
from tests.backend.conftest import API, BackendServer, Tenant, bearer, start_backend
from tests.factories import DEFAULT_PASSWORD
from tests.pgproxy import PgProxy, upstream_of


def _start_proxied(settings: Settings) -> tuple[BackendServer, PgProxy]:
    assert settings.database_url
    proxy = PgProxy(upstream_of(settings.database_url))
    url = proxy.url_for(settings.database_url, proxy.start())
    return start_backend(settings.model_copy(update={"database_url": url})), proxy


@pytest.fixture
def proxied_backend(clean_engine: Engine, settings: Settings) -> Iterator[tuple[BackendServer, PgProxy]]:
    server, proxy = _start_proxied(settings)
    yield server, proxy
    server.stop()
    proxy.stop()


@pytest.fixture
def uncached_proxied_backend(clean_engine: Engine, settings: Settings) -> Iterator[tuple[BackendServer, PgProxy]]:
    server, proxy = _start_proxied(settings.model_copy(update={"auth_cache_ttl_seconds": 0}))
    yield server, proxy
    server.stop()
    proxy.stop()


def test_validate_costs_one_round_trip_without_the_cache(
    uncached_proxied_backend: tuple[BackendServer, PgProxy], tenant: Tenant
) -> None:
    server, proxy = uncached_proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        answer = api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD})
        headers = bearer(answer.json()["token"])
        for _ in range(10):  # warm: pooled connection open, statement prepared
            assert api.post("/auth/validate", headers=headers).status_code == 200
        before = proxy.count()
        for _ in range(20):
            assert api.post("/auth/validate", headers=headers).status_code == 200
        assert proxy.count() - before == 20


def test_a_cached_token_costs_no_round_trip_until_it_is_revoked(
    proxied_backend: tuple[BackendServer, PgProxy], tenant: Tenant
) -> None:
    server, proxy = proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        headers = bearer(
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).json()["token"]
        )
        before = proxy.count()
        assert api.post("/auth/validate", headers=headers).status_code == 200
        assert proxy.count() - before == 1  # the first validation reads the database
        for path in ["/auth/validate"] * 20 + ["/auth/me", "/admin/current-session"]:
            assert api.request("POST" if path.endswith("validate") else "GET", path, headers=headers).status_code == 200
        assert proxy.count() - before == 1  # the rest came from the cache
        assert api.post("/auth/logout", headers=headers).status_code == 200
        after_logout = proxy.count()
        assert api.post("/auth/validate", headers=headers).status_code == 401
        assert proxy.count() - after_logout == 1  # evicted at commit: asked the database, which said no


def test_login_costs_two_round_trips(proxied_backend: tuple[BackendServer, PgProxy], tenant: Tenant) -> None:
    server, proxy = proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        for _ in range(6):
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).raise_for_status()
        before = proxy.count()
        for _ in range(5):
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).raise_for_status()
        # [BEGIN, lock, lookup] and [write, COMMIT]: two waits per login.
        assert proxy.count() - before == 10
