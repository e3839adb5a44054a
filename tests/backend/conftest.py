"""Backend fixtures: a real Backend Service on loopback, tenants with one user per role, login helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Engine

from pulse.backend.main import create_app
from pulse.core.config import Settings
from tests.factories import DEFAULT_PASSWORD, make_client, make_user
from tests.servers import ThreadServer

API = "/api/v1"


# The Backend as `pulse backend` runs it: no uvicorn proxy-header rewriting of the client IP.
BackendServer = ThreadServer


def start_backend(settings: Settings) -> BackendServer:
    """Start a Backend Service with these settings."""
    return ThreadServer(create_app(settings), proxy_headers=False).start()


@pytest.fixture
def backend(clean_engine: Engine, settings: Settings) -> Iterator[BackendServer]:
    """A Backend Service on clean tables."""
    server = start_backend(settings)
    yield server
    server.stop()


@pytest.fixture
def api(backend: BackendServer) -> Iterator[httpx.Client]:
    """An HTTP client on the Backend Service's `/api/v1`."""
    with httpx.Client(base_url=backend.base_url + API, timeout=30) as client:
        yield client


@pytest.fixture
def uncached_api(clean_engine: Engine, settings: Settings) -> Iterator[httpx.Client]:
    """A Backend with its validation cache off, for tests that stand in for time passing by editing rows.

    No auth event announces such an edit, so a cached caller would hide it until its deadline; the
    cache's own deadlines are tested in test_validation_cache.py.
    """
    server = start_backend(settings.model_copy(update={"auth_cache_ttl_seconds": 0}))
    with httpx.Client(base_url=server.base_url + API, timeout=30) as client:
        yield client
    server.stop()


@dataclass
class Tenant:
    """A tenant with one user per role (all with DEFAULT_PASSWORD)."""

    client_id: int
    admin_id: int
    admin_email: str
    user_id: int
    user_email: str
    view_id: int
    view_email: str


def make_tenant(engine: Engine, settings: Settings, prefix: str) -> Tenant:
    """Create a tenant and its admin, user and viewer."""
    client_id = make_client(engine, f"{prefix} Corp")
    emails = {role: f"{role}@{prefix.lower()}.example.com" for role in ("admin", "user", "view")}
    ids = {role: make_user(engine, settings, client_id=client_id, role=role, email=emails[role]) for role in emails}
    return Tenant(
        client_id=client_id,
        admin_id=ids["admin"],
        admin_email=emails["admin"],
        user_id=ids["user"],
        user_email=emails["user"],
        view_id=ids["view"],
        view_email=emails["view"],
    )


@pytest.fixture
def tenant(clean_engine: Engine, settings: Settings) -> Tenant:
    """Tenant A."""
    return make_tenant(clean_engine, settings, "Acme")


@pytest.fixture
def other_tenant(clean_engine: Engine, settings: Settings) -> Tenant:
    """Tenant B, to prove isolation."""
    return make_tenant(clean_engine, settings, "Globex")


def login(api: httpx.Client, email: str, password: str = DEFAULT_PASSWORD, **kwargs: object) -> dict:
    """Log in and return the answer (asserting 200)."""
    response = api.post("/auth/login", json={"email": email, "password": password}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def token_of(api: httpx.Client, email: str, password: str = DEFAULT_PASSWORD) -> str:
    """A fresh token for a user."""
    return str(login(api, email, password)["token"])


def api_routes(app: object) -> list[tuple[str, APIRoute]]:
    """Every FastAPI route of the app with its full path (included routers flattened)."""
    contexts = iter_route_contexts(app.routes)  # type: ignore[attr-defined]
    return [(str(c.path), c.original_route) for c in contexts if isinstance(c.original_route, APIRoute)]
