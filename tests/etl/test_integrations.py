"""The integrations API: validation naming fields, encrypted write-only credentials, tenant scoping."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from pulse.etl.integrations import crypto
from tests.etl.conftest import API, bearer, make_tenant
from tests.servers import ThreadServer

SECRET = "ghp_S3cretTokenThatMustNeverLeak0123456789"


def github(**changes: Any) -> dict[str, Any]:
    body = {
        "type": "github",
        "name": "GitHub",
        "base_url": "https://api.github.com",
        "credentials": {"token": SECRET},
        "settings": {"repositories": ["acme/api", "acme/web"], "schedule": {"interval_minutes": 60}},
    }
    body.update(changes)
    return body


@pytest.fixture
def admin(etl_server: ThreadServer, tokens: dict[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["admin"]), timeout=30)
    return client


def test_create_answers_the_read_shape_without_credentials(
    admin: httpx.Client, clean_engine: Engine, settings: Settings
) -> None:
    response = admin.post("/integrations", json=github())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "id", "type", "name", "base_url", "settings", "active", "has_credentials", "created_at", "last_updated_at",
        "last_sync",
    }  # fmt: skip
    assert body["has_credentials"] is True and body["last_sync"] is None and body["active"] is True
    assert SECRET not in response.text
    with clean_engine.connect() as conn:
        raw = conn.execute(text("SELECT credentials_encrypted FROM integrations WHERE id = :i"), {"i": body["id"]})
        stored = raw.scalar_one()
    assert SECRET not in stored
    assert crypto.decrypt_credentials(settings, stored) == {"token": SECRET}
    for path in ("/integrations", f"/integrations/{body['id']}"):
        assert SECRET not in admin.get(path).text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_url": "http://api.github.com"}, "base_url"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"settings": {"repositories": ["no-slash"]}}, "settings.repositories"),
        ({"settings": {"repositories": "acme/api"}}, "settings.repositories"),
        ({"settings": {"sync_since": "last tuesday"}}, "settings.sync_since"),
        ({"settings": {"api": "soap"}}, "settings.api"),
        ({"settings": {"api": "GraphQL"}}, "settings.api"),
        ({"settings": {"schedule": {"interval_minutes": 0}}}, "settings.schedule.interval_minutes"),
        ({"settings": {"schedule": {"cron": "61 * * * *"}}}, "settings.schedule.cron"),
        ({"settings": {"schedule": {"cron": "0 * * * *", "timezone": "Mars/Base"}}}, "settings.schedule.timezone"),
        ({"credentials": {}}, "credentials.token"),
        ({"type": "bitbucket"}, "type"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    admin: httpx.Client, clean_engine: Engine, change: dict[str, Any], field: str
) -> None:
    response = admin.post("/integrations", json=github(**change))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM integrations")).scalar_one() == 0


def test_loopback_http_and_jira_settings_are_accepted(admin: httpx.Client) -> None:
    for host in ("127.0.0.1:8900", "localhost:8900", "[::1]:8900"):
        assert admin.post("/integrations", json=github(base_url=f"http://{host}")).status_code == 201
    jira = {
        "type": "jira",
        "name": "Jira",
        "base_url": "https://example.atlassian.net",
        "credentials": {"email": "bot@example.com", "api_token": SECRET},
        "settings": {"projects": ["PAY", "WEB"], "schedule": {"cron": "0 6 * * 1-5", "timezone": "Europe/Berlin"}},
    }
    assert admin.post("/integrations", json=jira).status_code == 201
    bad = admin.post("/integrations", json={**jira, "credentials": {"email": "bot@example.com"}})
    assert bad.json()["error"]["field"] == "credentials.api_token"


def test_patch_replaces_credentials_and_deactivate_keeps_the_row(
    admin: httpx.Client, clean_engine: Engine, settings: Settings
) -> None:
    integration_id = admin.post("/integrations", json=github()).json()["id"]
    patched = admin.patch(
        f"/integrations/{integration_id}", json={"name": "Renamed", "credentials": {"token": "new-1"}}
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Renamed"
    assert "new-1" not in patched.text
    with clean_engine.connect() as conn:
        stored = conn.execute(text("SELECT credentials_encrypted FROM integrations")).scalar_one()
    assert crypto.decrypt_credentials(settings, stored) == {"token": "new-1"}
    assert admin.patch(f"/integrations/{integration_id}", json={"base_url": "http://evil.example"}).status_code == 422
    job_run_id = admin.post(f"/integrations/{integration_id}/sync").json()["job_run_id"]
    deactivated = admin.post(f"/integrations/{integration_id}/deactivate")
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert admin.get(f"/jobs/{job_run_id}").json()["status"] == "CANCELLED"  # its waiting sync goes too
    assert admin.post(f"/integrations/{integration_id}/sync").status_code == 409
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT active FROM sync_schedules")).scalar_one() is False


def test_other_tenants_integrations_are_404(
    admin: httpx.Client, etl_server: ThreadServer, clean_engine: Engine, settings: Settings, backend_process: Any
) -> None:
    from tests.etl.conftest import login

    integration_id = admin.post("/integrations", json=github()).json()["id"]
    other = make_tenant(clean_engine, settings, "globex")
    token = login(backend_process.base_url, other.emails["admin"])
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(token)) as intruder:
        assert intruder.get(f"/integrations/{integration_id}").status_code == 404
        assert intruder.patch(f"/integrations/{integration_id}", json={"name": "x"}).status_code == 404
        assert intruder.post(f"/integrations/{integration_id}/sync").status_code == 404
        assert intruder.get("/integrations").json() == {"items": [], "total": 0}


def test_test_connection_uses_the_connector(admin: httpx.Client) -> None:
    body = {"type": "fake", "name": "F", "base_url": "http://127.0.0.1:9", "credentials": {"token": "good-token"}}
    assert admin.post("/integrations/test", json=body).json() == {"ok": True, "message": "Connected as fake-user"}
    body["credentials"] = {"token": "wrong"}
    assert admin.post("/integrations/test", json=body).json() == {"ok": False, "message": "Bad credentials"}


def test_user_role_reads_but_cannot_administer(etl_server: ThreadServer, tokens: dict[str, str]) -> None:
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["user"])) as user:
        assert user.get("/integrations").status_code == 200
        assert user.post("/integrations", json=github()).status_code == 403
        assert user.post("/integrations/test", json=github()).status_code == 403


def test_rotation_re_encrypts_with_the_newest_key(clean_engine: Engine, settings: Settings) -> None:
    from pulse.core.db.engine import unit_of_work
    from pulse.etl.integrations import service as integration_service
    from tests.etl.conftest import make_integration
    from tests.factories import make_client

    integration_id = make_integration(clean_engine, settings, make_client(clean_engine))
    assert settings.encryption_key is not None
    newest = Fernet.generate_key().decode()
    rotated = settings.model_copy(
        update={
            "encryption_key": type(settings.encryption_key)(f"{newest},{settings.encryption_key.get_secret_value()}")
        }
    )
    with unit_of_work(clean_engine) as db_session:
        assert integration_service.rotate_all(db_session=db_session, settings=rotated) == 1
    with clean_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT credentials_encrypted FROM integrations WHERE id = :i"), {"i": integration_id}
        )
        token = stored.scalar_one()
    assert Fernet(newest.encode()).decrypt(token.encode())  # readable with the newest key alone
    assert not crypto.needs_rotation(rotated, token)


def test_credentials_never_reach_a_log_line(
    admin: httpx.Client, capfd: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    created = admin.post("/integrations", json=github())
    admin.patch(f"/integrations/{created.json()['id']}", json={"credentials": {"token": SECRET + "2"}})
    admin.post("/integrations/test", json=github(type="fake", credentials={"token": SECRET}))
    admin.post("/integrations", json=github(base_url="http://bad.example"))
    out, err = capfd.readouterr()
    assert "integration_created" in out + err  # the service did log these requests
    assert SECRET not in out + err
