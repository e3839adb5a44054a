"""Attempts to get a token accepted that must not be: forged, confused, expired, revoked, orphaned."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine, text

from pulse.backend.clients import service as client_service
from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work
from pulse.core.security import token_digest
from tests.backend.conftest import Tenant, bearer, login


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_token(header: dict[str, Any], claims: dict[str, Any], sign: Any) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _adopt(engine: Engine, session_id: str, token: str) -> None:
    """Make a session row accept this token's digest, so only the token's own defect can reject it."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE user_sessions SET token_hash = :h WHERE id = :id"),
            {"h": token_digest(token), "id": session_id},
        )


def _status(api: httpx.Client, token: str) -> int:
    return api.post("/auth/validate", headers=bearer(token)).status_code


@pytest.fixture
def session(api: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    return login(api, tenant.user_email)


def test_a_resigned_token_is_accepted_once_adopted(
    api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    # The control for the forgery tests below: a correctly signed token with the session's digest passes.
    claims = {**_claims(session["token"]), "jti": "control"}
    token = jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")
    _adopt(clean_engine, session["session_id"], token)
    assert _status(api, token) == 200


def test_alg_none_is_rejected(api: httpx.Client, session: dict[str, Any], clean_engine: Engine) -> None:
    claims = _claims(session["token"])
    for alg in ("none", "None", "NONE"):
        token = _raw_token({"alg": alg, "typ": "JWT"}, claims, lambda _: b"")
        _adopt(clean_engine, session["session_id"], token)
        assert _status(api, token) == 401
        assert _status(api, token.rsplit(".", 1)[0] + ".") == 401


def test_wrong_key_and_other_secret_are_rejected(
    api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    claims = _claims(session["token"])
    for key in ("another-secret-" + "x" * 40, settings.jwt_secret() + "x", ""):
        token = (
            jwt.encode(claims, key, algorithm="HS256")
            if key
            else _raw_token({"alg": "HS256", "typ": "JWT"}, claims, lambda m: hmac.new(b"", m, hashlib.sha256).digest())
        )
        _adopt(clean_engine, session["session_id"], token)
        assert _status(api, token) == 401


def test_other_hmac_algorithms_are_rejected(
    api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    claims = _claims(session["token"])
    token = jwt.encode(claims, settings.jwt_secret(), algorithm="HS512")
    _adopt(clean_engine, session["session_id"], token)
    assert _status(api, token) == 401


def test_hs_rs_confusion_is_rejected(api: httpx.Client, session: dict[str, Any], clean_engine: Engine) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = _claims(session["token"])
    rs = jwt.encode(claims, private, algorithm="RS256")
    _adopt(clean_engine, session["session_id"], rs)
    assert _status(api, rs) == 401
    # The classic confusion: HS256 keyed with the public key an RS verifier would use.
    hs = _raw_token({"alg": "HS256", "typ": "JWT"}, claims, lambda m: hmac.new(public_pem, m, hashlib.sha256).digest())
    _adopt(clean_engine, session["session_id"], hs)
    assert _status(api, hs) == 401


def test_expired_token_is_rejected(
    api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    claims = {**_claims(session["token"]), "iat": int(time.time()) - 120, "exp": int(time.time()) - 60}
    token = jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")
    _adopt(clean_engine, session["session_id"], token)
    assert _status(api, token) == 401


def test_tampered_claims_are_rejected(api: httpx.Client, session: dict[str, Any], tenant: Tenant) -> None:
    header, _payload, signature = session["token"].split(".")
    for change in (
        {"role": "admin"},
        {"sub": str(tenant.admin_id)},
        {"cid": tenant.client_id + 1},
        {"exp": int(time.time()) + 10**6},
    ):
        claims = {**_claims(session["token"]), **change}
        forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
        assert _status(api, forged) == 401, change


def test_correctly_signed_token_must_match_its_session(
    api: httpx.Client, session: dict[str, Any], tenant: Tenant, clean_engine: Engine, settings: Settings
) -> None:
    # Signed with the real secret (a leaked secret, or a bug elsewhere) but not the token its session holds.
    claims = _claims(session["token"])
    assert _status(api, jwt.encode({**claims, "jti": "other"}, settings.jwt_secret(), algorithm="HS256")) == 401
    # Pointing at another user's id or another session is refused even when the digest matches.
    for change in ({"sub": str(tenant.admin_id)}, {"sid": str(uuid.uuid4())}, {"cid": tenant.client_id + 1}):
        token = jwt.encode({**claims, **change}, settings.jwt_secret(), algorithm="HS256")
        _adopt(clean_engine, session["session_id"], token)
        assert _status(api, token) == 401, change


def test_missing_claims_are_rejected(
    api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    for claim in ("sub", "sid", "cid", "role", "iat", "exp"):
        claims = {k: v for k, v in _claims(session["token"]).items() if k != claim}
        token = jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")
        _adopt(clean_engine, session["session_id"], token)
        assert _status(api, token) == 401, claim


def test_logged_out_token_is_rejected(api: httpx.Client, session: dict[str, Any]) -> None:
    assert _status(api, session["token"]) == 200
    api.post("/auth/logout", headers=bearer(session["token"]))
    assert _status(api, session["token"]) == 401


def test_token_of_deactivated_user_is_rejected(api: httpx.Client, session: dict[str, Any], tenant: Tenant) -> None:
    admin = login(api, tenant.admin_email)
    assert _status(api, session["token"]) == 200
    done = api.post(f"/admin/users/{tenant.user_id}/deactivate", headers=bearer(admin["token"]))
    assert done.status_code == 200 and done.json()["active"] is False
    assert _status(api, session["token"]) == 401
    assert api.post("/auth/login", json={"email": tenant.user_email, "password": "x" * 20}).status_code == 401


def test_token_of_deactivated_user_is_rejected_even_if_session_row_survived(
    api: httpx.Client, session: dict[str, Any], tenant: Tenant, clean_engine: Engine
) -> None:
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": tenant.user_id})
    assert _status(api, session["token"]) == 401


def test_token_of_deactivated_tenant_is_rejected(
    api: httpx.Client, session: dict[str, Any], tenant: Tenant, clean_engine: Engine
) -> None:
    assert _status(api, session["token"]) == 200
    with unit_of_work(clean_engine) as db_session:
        ended = client_service.deactivate(db_session=db_session, client_id=tenant.client_id)
    assert session["session_id"] in ended
    # Deactivated by another process (as the CLI does): the Backend hears of it by notification.
    deadline = time.monotonic() + 1.0
    while _status(api, session["token"]) != 401:
        assert time.monotonic() < deadline, "a deactivated tenant's token is still accepted"
        time.sleep(0.01)
    # The tenant's users cannot log in either.
    assert (
        api.post(
            "/auth/login", json={"email": tenant.admin_email, "password": "correct horse battery staple"}
        ).status_code
        == 401
    )


def test_token_of_deactivated_tenant_is_rejected_even_if_session_row_survived(
    api: httpx.Client, session: dict[str, Any], tenant: Tenant, clean_engine: Engine
) -> None:
    with clean_engine.begin() as conn:
        conn.execute(text("UPDATE clients SET active = false WHERE id = :id"), {"id": tenant.client_id})
    assert _status(api, session["token"]) == 401


def test_idle_session_expires(
    uncached_api: httpx.Client, session: dict[str, Any], clean_engine: Engine, settings: Settings
) -> None:
    def idle_for(minutes: float) -> None:
        with clean_engine.begin() as conn:
            conn.execute(
                text("UPDATE user_sessions SET last_activity_at = now() - make_interval(secs => :s) WHERE id = :id"),
                {"s": minutes * 60, "id": session["session_id"]},
            )

    idle_for(settings.session_idle_minutes - 0.5)
    assert _status(uncached_api, session["token"]) == 200  # and this activity refreshes the clock
    with clean_engine.connect() as conn:
        age = conn.execute(
            text("SELECT extract(epoch FROM now() - last_activity_at) FROM user_sessions WHERE id = :id"),
            {"id": session["session_id"]},
        ).scalar_one()
    assert float(age) < 5
    idle_for(settings.session_idle_minutes + 0.5)
    assert _status(uncached_api, session["token"]) == 401


def test_absolute_lifetime_ends_the_session(api: httpx.Client, session: dict[str, Any], clean_engine: Engine) -> None:
    with clean_engine.begin() as conn:
        conn.execute(
            text("UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE id = :id"),
            {"id": session["session_id"]},
        )
    assert _status(api, session["token"]) == 401


def test_session_lifetime_and_token_exp_follow_settings(
    api: httpx.Client, session: dict[str, Any], settings: Settings
) -> None:
    claims = _claims(session["token"])
    assert claims["exp"] - claims["iat"] == settings.session_lifetime_minutes * 60
    assert {"sub", "sid", "cid", "role", "iat", "exp", "jti"} <= set(claims)
    assert claims["sid"] == session["session_id"] and claims["sub"] == str(session["user"]["id"])


def test_last_activity_is_written_at_most_once_a_minute(
    uncached_api: httpx.Client, session: dict[str, Any], clean_engine: Engine
) -> None:
    def activity() -> Any:
        with clean_engine.connect() as conn:
            return conn.execute(
                text("SELECT last_activity_at FROM user_sessions WHERE id = :id"), {"id": session["session_id"]}
            ).scalar_one()

    with clean_engine.begin() as conn:
        conn.execute(
            text("UPDATE user_sessions SET last_activity_at = now() - interval '30 seconds' WHERE id = :id"),
            {"id": session["session_id"]},
        )
    fresh = activity()
    for _ in range(3):
        assert _status(uncached_api, session["token"]) == 200
    assert activity() == fresh
    with clean_engine.begin() as conn:
        conn.execute(
            text("UPDATE user_sessions SET last_activity_at = now() - interval '90 seconds' WHERE id = :id"),
            {"id": session["session_id"]},
        )
    assert _status(uncached_api, session["token"]) == 200
    assert activity() > fresh
