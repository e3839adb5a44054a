"""Every route that takes an id answers 404 for another tenant's id, and changes nothing there."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Engine, text

from pulse.backend.main import create_app
from pulse.core.config import Settings
from tests.backend.conftest import Tenant, api_routes, bearer, login, token_of

# A valid body per (method, path template), so only the id can make the call fail.
BODIES = {
    ("PATCH", "/api/v1/admin/users/{user_id}"): {"first_name": "Mallory", "role": "view"},
    ("PUT", "/api/v1/admin/users/{user_id}/permissions"): {
        "overrides": [{"resource": "dashboards", "action": "read", "granted": False}]
    },
}


def _snapshot(engine: Engine, client_id: int) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        users = conn.execute(
            text("SELECT id, first_name, role, active FROM users WHERE client_id = :c ORDER BY id"), {"c": client_id}
        ).all()
        sessions = conn.execute(
            text("SELECT id, active FROM user_sessions WHERE client_id = :c ORDER BY id"), {"c": client_id}
        ).all()
        overrides = conn.execute(
            text("SELECT user_id, resource, action FROM user_permissions WHERE client_id = :c"), {"c": client_id}
        ).all()
    return [tuple(r) for r in [*users, *sessions, *overrides]]


def test_other_tenants_ids_answer_404_on_every_route(
    api: httpx.Client, tenant: Tenant, other_tenant: Tenant, settings: Settings, clean_engine: Engine
) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    victim_session = login(api, other_tenant.user_email)
    ids = {"user_id": str(other_tenant.user_id), "session_id": victim_session["session_id"]}
    before = _snapshot(clean_engine, other_tenant.client_id)
    checked = []
    for path, route in api_routes(create_app(settings)):
        params = re.findall(r"\{(\w+)\}", path)
        if not params:
            continue
        assert set(params) <= set(ids), f"no other-tenant id known for {path}; extend this test"
        url = path.removeprefix("/api/v1")
        for name in params:
            url = url.replace("{" + name + "}", ids[name])
        for method in route.methods:
            response = api.request(method, url, headers=admin, json=BODIES.get((method, path)))
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"]["code"] == "not_found"
            checked.append((method, path))
    assert len(checked) >= 7
    assert _snapshot(clean_engine, other_tenant.client_id) == before
    assert api.post("/auth/validate", headers=bearer(victim_session["token"])).status_code == 200


def test_the_same_routes_work_for_own_tenant_ids(api: httpx.Client, tenant: Tenant) -> None:
    # The control for the test above: own ids are found.
    admin = bearer(token_of(api, tenant.admin_email))
    assert api.get(f"/admin/users/{tenant.user_id}", headers=admin).status_code == 200
    assert api.get(f"/admin/users/{tenant.user_id}/permissions", headers=admin).status_code == 200
    session_id = login(api, tenant.user_email)["session_id"]
    assert api.delete(f"/admin/sessions/{session_id}", headers=admin).status_code == 200


def test_lists_show_only_the_callers_tenant(api: httpx.Client, tenant: Tenant, other_tenant: Tenant) -> None:
    login(api, other_tenant.admin_email)
    admin = bearer(token_of(api, tenant.admin_email))
    users = api.get("/admin/users", headers=admin, params={"search": "globex"}).json()
    assert users == {"items": [], "total": 0}
    sessions = api.get("/admin/sessions", headers=admin).json()
    assert {s["user_email"] for s in sessions["items"]} == {tenant.admin_email}
    audit = api.get("/admin/audit", headers=admin).json()
    assert all(e["actor_email"] != other_tenant.admin_email for e in audit["items"])
