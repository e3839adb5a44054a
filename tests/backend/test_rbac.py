"""Roles, overrides, declared permissions on every route, and attempts to escalate."""

from __future__ import annotations

import re

import httpx
from fastapi.routing import APIRoute

from pulse.backend.deps import ACCESS_ATTRIBUTE
from pulse.backend.main import create_app
from pulse.core.config import Settings
from tests.backend.conftest import Tenant, api_routes, bearer, token_of

NO_PERMISSION_NEEDED = {"public", "authenticated", "bearer"}


def _access(route: APIRoute) -> list[str]:
    return [
        getattr(d.dependency, ACCESS_ATTRIBUTE) for d in route.dependencies if hasattr(d.dependency, ACCESS_ATTRIBUTE)
    ]


def _routes(settings: Settings) -> list[tuple[str, APIRoute]]:
    return api_routes(create_app(settings))


def test_every_route_declares_its_access(settings: Settings) -> None:
    routes = _routes(settings)
    assert len(routes) >= 18
    undeclared = [f"{sorted(r.methods)} {path}" for path, r in routes if len(_access(r)) != 1]
    assert undeclared == []


def test_only_the_documented_routes_need_no_permission(settings: Settings) -> None:
    open_routes = {
        (m, path) for path, r in _routes(settings) if _access(r)[0] in NO_PERMISSION_NEEDED for m in r.methods
    }
    assert open_routes == {
        ("GET", "/health"),
        ("GET", "/ready"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/validate"),
        ("GET", "/api/v1/auth/me"),
        ("POST", "/api/v1/auth/change-password"),
        ("GET", "/api/v1/admin/current-session"),
        ("POST", "/api/v1/admin/auth/invalidate-session"),
    }


def test_a_viewer_is_refused_every_permissioned_route(api: httpx.Client, tenant: Tenant, settings: Settings) -> None:
    viewer = bearer(token_of(api, tenant.view_email))
    checked = 0
    for full_path, route in _routes(settings):
        if _access(route)[0] in NO_PERMISSION_NEEDED:
            continue
        path = re.sub(r"\{user_id\}", str(tenant.admin_id), full_path.removeprefix("/api/v1"))
        path = path.replace("{session_id}", "00000000-0000-0000-0000-000000000001")
        for method in route.methods:
            response = api.request(method, path, headers=viewer, json={"overrides": []})
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"]["code"] == "permission_denied"
            checked += 1
    assert checked >= 12
    # Anonymous callers get 401 on the same routes.
    assert api.get("/admin/users").status_code == 401


def test_default_matrix(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    body = api.get("/admin/permissions/matrix", headers=admin).json()
    assert body["roles"] == ["admin", "user", "view"] and "read" in body["actions"] and "users" in body["resources"]
    assert body["matrix"]["view"] == {"dashboards": ["read"]}
    assert body["matrix"]["user"] == {
        "dashboards": ["read"],
        "integrations": ["read"],
        "etl_jobs": ["read"],
        "logs": ["read"],
    }
    assert all(body["matrix"]["admin"][r] == ["read", "execute", "delete", "admin"] for r in body["resources"])


def test_overrides_grant_and_deny_and_take_effect_on_live_sessions(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    user = bearer(token_of(api, tenant.user_email))
    assert api.get("/admin/users", headers=user).status_code == 403
    put = api.put(
        f"/admin/users/{tenant.user_id}/permissions",
        headers=admin,
        json={
            "overrides": [
                {"resource": "users", "action": "read", "granted": True},
                {"resource": "logs", "action": "read", "granted": False},
            ]
        },
    )
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["role"] == "user" and len(body["overrides"]) == 2
    effective = {(p["resource"], p["action"]) for p in body["effective"]}
    assert ("users", "read") in effective and ("logs", "read") not in effective
    assert api.get(f"/admin/users/{tenant.user_id}/permissions", headers=admin).json() == body
    assert api.get("/admin/users", headers=user).status_code == 200
    live = {(p["resource"], p["action"]) for p in api.post("/auth/validate", headers=user).json()["permissions"]}
    assert live == effective
    # PUT replaces: an empty list restores the role's defaults.
    api.put(f"/admin/users/{tenant.user_id}/permissions", headers=admin, json={"overrides": []})
    assert api.get("/admin/users", headers=user).status_code == 403


def test_bad_overrides_are_422_naming_the_field(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    unknown = api.put(
        f"/admin/users/{tenant.user_id}/permissions",
        headers=admin,
        json={"overrides": [{"resource": "nukes", "action": "read", "granted": True}]},
    )
    assert unknown.status_code == 422 and "resource" in unknown.json()["error"]["field"]
    twice = api.put(
        f"/admin/users/{tenant.user_id}/permissions",
        headers=admin,
        json={
            "overrides": [
                {"resource": "logs", "action": "read", "granted": True},
                {"resource": "logs", "action": "read", "granted": False},
            ]
        },
    )
    assert twice.status_code == 422 and twice.json()["error"]["field"] == "overrides"
    assert api.get(f"/admin/users/{tenant.user_id}/permissions", headers=admin).json()["overrides"] == []


def test_a_delegated_user_admin_cannot_escalate(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    api.put(
        f"/admin/users/{tenant.user_id}/permissions",
        headers=admin,
        json={
            "overrides": [
                {"resource": "users", "action": "read", "granted": True},
                {"resource": "users", "action": "admin", "granted": True},
            ]
        },
    )
    deputy = bearer(token_of(api, tenant.user_email))
    new = {"email": "x@acme.example.com", "password": "a long enough password"}
    assert api.post("/admin/users", headers=deputy, json={**new, "role": "admin"}).status_code == 403
    assert api.patch(f"/admin/users/{tenant.user_id}", headers=deputy, json={"role": "admin"}).status_code == 403
    assert api.patch(f"/admin/users/{tenant.view_id}", headers=deputy, json={"role": "admin"}).status_code == 403
    assert api.patch(f"/admin/users/{tenant.admin_id}", headers=deputy, json={"role": "view"}).status_code == 403
    assert api.post(f"/admin/users/{tenant.admin_id}/deactivate", headers=deputy).status_code == 403
    grant_self = api.put(
        f"/admin/users/{tenant.user_id}/permissions",
        headers=deputy,
        json={"overrides": [{"resource": "sessions", "action": "delete", "granted": True}]},
    )
    assert grant_self.status_code == 403
    grant_other = api.put(
        f"/admin/users/{tenant.view_id}/permissions",
        headers=deputy,
        json={"overrides": [{"resource": "admin_panel", "action": "read", "granted": True}]},
    )
    assert grant_other.status_code == 403
    # Within their own rank and holdings, the deputy may act.
    assert api.post("/admin/users", headers=deputy, json={**new, "role": "user"}).status_code == 201
    ok = api.put(
        f"/admin/users/{tenant.view_id}/permissions",
        headers=deputy,
        json={"overrides": [{"resource": "logs", "action": "read", "granted": True}]},
    )
    assert ok.status_code == 200
    # Nothing the refused calls tried stuck.
    admin_row = api.get(f"/admin/users/{tenant.admin_id}", headers=admin).json()
    assert admin_row["role"] == "admin" and admin_row["active"] is True
    assert api.get(f"/admin/users/{tenant.user_id}", headers=admin).json()["role"] == "user"


def test_a_viewer_cannot_change_their_own_role(api: httpx.Client, tenant: Tenant) -> None:
    viewer = bearer(token_of(api, tenant.view_email))
    assert api.patch(f"/admin/users/{tenant.view_id}", headers=viewer, json={"role": "admin"}).status_code == 403
    assert api.get("/auth/me", headers=viewer).json()["user"]["role"] == "view"
