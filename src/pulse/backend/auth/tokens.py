"""JWTs: issue with the configured algorithm, verify accepting that algorithm only."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import jwt

from pulse.core.errors import NotAuthenticated

REQUIRED_CLAIMS = ["sub", "sid", "cid", "role", "iat", "exp"]


@dataclass(frozen=True)
class Claims:
    """The verified claims Pulse relies on."""

    user_id: int
    session_id: uuid.UUID
    client_id: int
    role: str
    expires: int  # `exp`, seconds since the epoch


def issue(
    *,
    secret: str,
    algorithm: str,
    user_id: int,
    session_id: uuid.UUID,
    client_id: int,
    role: str,
    issued_at: datetime,
    expires_at: datetime,
) -> str:
    """Sign a token for one session; `jti` makes every token unique even within one second."""
    payload = {
        "sub": str(user_id),
        "sid": str(session_id),
        "cid": client_id,
        "role": role,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(payload, secret, algorithm=algorithm)


def verify(token: str, *, secret: str, algorithm: str, verify_exp: bool = True) -> Claims:
    """Check signature (configured algorithm only), expiry and claim shapes; NotAuthenticated otherwise."""
    try:
        claims = _verified(token, secret, algorithm)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise NotAuthenticated("Invalid or expired token") from exc
    if verify_exp and claims.expires <= time.time():
        raise NotAuthenticated("Invalid or expired token")
    return claims


# The same token string always verifies the same way, so its signature is checked once and remembered
# (validation runs on every ETL request). Failures are never cached; expiry is checked on every call.
@lru_cache(maxsize=4096)
def _verified(token: str, secret: str, algorithm: str) -> Claims:
    data = jwt.decode(
        token,
        secret,
        algorithms=[algorithm],
        options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
    )
    return Claims(
        user_id=int(data["sub"]),
        session_id=uuid.UUID(str(data["sid"])),
        client_id=int(data["cid"]),
        role=str(data["role"]),
        expires=int(data["exp"]),
    )
