"""User, session and audit administration within one tenant."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, text

from tests.backend.conftest import Tenant, bearer, login, token_of

USER_READ_FIELDS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "is_admin",
    "active",
    "last_login_at",
    "created_at",
}


def test_users_list_search_and_pagination(api: httpx.Client, tenant: Tenant, other_tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    page = api.get("/admin/users", headers=admin).json()
    assert page["total"] == 3 and {u["email"] for u in page["items"]} == {
        tenant.admin_email,
        tenant.user_email,
        tenant.view_email,
    }
    assert set(page["items"][0]) == USER_READ_FIELDS
    assert "password_hash" not in str(page)
    found = api.get("/admin/users", headers=admin, params={"search": "VIEW@"}).json()
    assert found["total"] == 1 and found["items"][0]["id"] == tenant.view_id
    assert api.get("/admin/users", headers=admin, params={"search": "%"}).json()["total"] == 0
    second = api.get("/admin/users", headers=admin, params={"limit": 2, "offset": 2}).json()
    assert second["total"] == 3 and len(second["items"]) == 1
    assert api.get("/admin/users", headers=admin, params={"limit": 0}).status_code == 422


def test_create_read_update_deactivate_user(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    created = api.post(
        "/admin/users",
        headers=admin,
        json={
            "email": "New.Person@Acme.example.com",
            "password": "a long enough password",
            "role": "view",
            "first_name": "New",
            "last_name": "Person",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "new.person@acme.example.com" and user["active"] is True and user["role"] == "view"
    assert api.get(f"/admin/users/{user['id']}", headers=admin).json() == user
    duplicate = api.post(
        "/admin/users",
        headers=admin,
        json={"email": "NEW.person@acme.example.com", "password": "a long enough password", "role": "view"},
    )
    assert duplicate.status_code == 409 and duplicate.json()["error"]["field"] == "email"
    weak = api.post(
        "/admin/users", headers=admin, json={"email": "w@acme.example.com", "password": "short", "role": "view"}
    )
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"
    bad_role = api.post(
        "/admin/users",
        headers=admin,
        json={"email": "r@acme.example.com", "password": "a long enough password", "role": "root"},
    )
    assert bad_role.status_code == 422 and bad_role.json()["error"]["field"] == "role"

    token = token_of(api, "new.person@acme.example.com", "a long enough password")
    updated = api.patch(
        f"/admin/users/{user['id']}", headers=admin, json={"last_name": "Renamed", "role": "user"}
    ).json()
    assert updated["last_name"] == "Renamed" and updated["role"] == "user" and updated["first_name"] == "New"
    # The live session sees the new role's permissions at once.
    perms = api.post("/auth/validate", headers=bearer(token)).json()["permissions"]
    assert {"resource": "logs", "action": "read"} in perms
    done = api.post(f"/admin/users/{user['id']}/deactivate", headers=admin)
    assert done.status_code == 200 and done.json()["active"] is False
    assert api.post("/auth/validate", headers=bearer(token)).status_code == 401
    assert api.get(f"/admin/users/{user['id']}", headers=admin).json()["active"] is False


def test_admin_cannot_deactivate_themselves(api: httpx.Client, tenant: Tenant) -> None:
    admin = bearer(token_of(api, tenant.admin_email))
    response = api.post(f"/admin/users/{tenant.admin_id}/deactivate", headers=admin)
    assert response.status_code == 409
    assert api.post("/auth/validate", headers=admin).status_code == 200


def test_sessions_list_marks_the_current_one_and_terminates(
    api: httpx.Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = login(api, tenant.admin_email)
    theirs = login(api, tenant.user_email)
    login(api, other_tenant.user_email)
    page = api.get("/admin/sessions", headers=bearer(mine["token"])).json()
    assert page["total"] == 2
    by_id = {s["id"]: s for s in page["items"]}
    assert set(by_id) == {mine["session_id"], theirs["session_id"]}
    assert by_id[mine["session_id"]]["is_current"] is True and by_id[theirs["session_id"]]["is_current"] is False
    assert by_id[theirs["session_id"]]["user_email"] == tenant.user_email
    assert set(by_id[mine["session_id"]]) == {
        "id",
        "user_id",
        "user_email",
        "created_at",
        "last_activity_at",
        "expires_at",
        "ip_address",
        "user_agent",
        "is_current",
    }
    ended = api.delete(f"/admin/sessions/{theirs['session_id']}", headers=bearer(mine["token"]))
    assert ended.status_code == 200
    assert api.post("/auth/validate", headers=bearer(theirs["token"])).status_code == 401
    assert api.get("/admin/sessions", headers=bearer(mine["token"])).json()["total"] == 1
    assert api.delete("/admin/sessions/not-a-uuid", headers=bearer(mine["token"])).status_code == 422


def test_audit_trail_is_tenant_scoped_newest_first_and_filterable(
    api: httpx.Client, tenant: Tenant, other_tenant: Tenant, clean_engine: Engine
) -> None:
    api.post("/auth/login", json={"email": tenant.user_email, "password": "wrong password here"})
    login(api, other_tenant.admin_email)
    admin = bearer(token_of(api, tenant.admin_email))
    api.patch(f"/admin/users/{tenant.view_id}", headers=admin, json={"role": "user"})
    page = api.get("/admin/audit", headers=admin).json()
    types = [e["event_type"] for e in page["items"]]
    assert types == ["user_role_changed", "login_succeeded", "login_failed"]
    assert page["total"] == 3
    assert set(page["items"][0]) == {
        "id",
        "event_type",
        "user_id",
        "actor_email",
        "ip_address",
        "details",
        "created_at",
    }
    assert page["items"][0]["details"]["before"] == "view"
    failed = api.get("/admin/audit", headers=admin, params={"event_type": "login_failed"}).json()
    assert failed["total"] == 1 and failed["items"][0]["actor_email"] == tenant.user_email
    # Nothing a password or token looks like is stored.
    with clean_engine.connect() as conn:
        stored = str(conn.execute(text("SELECT details FROM audit_events")).scalars().all())
    assert "wrong password here" not in stored and "eyJ" not in stored
    assert api.get("/admin/audit", headers=bearer(token_of(api, tenant.user_email))).status_code == 403
