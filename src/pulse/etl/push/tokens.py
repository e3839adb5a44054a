"""Push tokens: issued once, stored as SHA-256, rotated at once, and counted per request for the rate limit.

A push token is 32 random bytes (256 bits) behind a fixed prefix. Guessing one is hopeless, so a slow
password hash would only make every push slower: the database keeps the SHA-256 (what sessions keep too),
which also lets a push find its token by an index lookup.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.db.models import Integration, PushToken
from pulse.core.errors import NotAuthenticated, Throttled
from pulse.core.logging import get_logger
from pulse.core.security import token_digest
from pulse.etl.push.schemas import PushTokenIssued

log = get_logger(__name__)

# Tells a push token from a session JWT at a glance, so every other route can refuse it without a lookup.
TOKEN_PREFIX = "pulse_push_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
WRONG_TOKEN = "Push routes need the integration's push token (Authorization: Bearer pulse_push_...)"


def is_push_token(token: str) -> bool:
    """Whether a bearer token is a push token (by its prefix)."""
    return token.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class PushCaller:
    """Who a valid push token speaks for."""

    client_id: int
    integration_id: int
    token_id: int


def issue(*, db_session: Session, integration: Integration) -> PushTokenIssued:
    """Revoke the integration's live token and issue a new one, shown this once; in the caller's transaction."""
    # Lock the integration so two rotations at once queue instead of tripping the one-live-token index.
    db_session.execute(select(Integration.id).where(Integration.id == integration.id).with_for_update())
    db_session.execute(
        update(PushToken)
        .where(PushToken.integration_id == integration.id, PushToken.active.is_(True))
        .values(active=False, revoked_at=func.now())
        .execution_options(synchronize_session=False)
    )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = PushToken(
        client_id=integration.client_id,
        integration_id=integration.id,
        token_hash=token_digest(token),
        prefix=token[:PREFIX_SHOWN],
    )
    db_session.add(row)
    db_session.flush()
    db_session.refresh(row, ["created_at"])
    log.info("push_token_issued", integration_id=integration.id, push_token_id=row.id)
    return PushTokenIssued(token=token, prefix=row.prefix, created_at=row.created_at)


def current(*, db_session: Session, integration_id: int) -> PushToken | None:
    """The integration's live token row (never its secret), or None."""
    return db_session.execute(
        select(PushToken).where(PushToken.integration_id == integration_id, PushToken.active.is_(True))
    ).scalar_one_or_none()


# One statement finds the token (live, of an active push integration), stamps its use and counts the request
# in a fixed window; the row lock it takes is held only by this short transaction, never by the push itself.
_USE = text(
    """
    UPDATE push_tokens t SET
        last_used_at = now(),
        window_count = CASE WHEN t.window_started_at > now() - make_interval(secs => :window)
                            THEN t.window_count + 1 ELSE 1 END,
        window_started_at = CASE WHEN t.window_started_at > now() - make_interval(secs => :window)
                                 THEN t.window_started_at ELSE now() END
    FROM integrations i
    WHERE t.token_hash = :token_hash AND t.active
      AND i.id = t.integration_id AND i.active AND i.type = 'push' AND i.client_id = t.client_id
    RETURNING t.id, t.client_id, t.integration_id, t.window_count,
              extract(epoch FROM t.window_started_at + make_interval(secs => :window) - now()) AS seconds_left
    """
)


def use(*, db_session: Session, settings: Settings, token: str, integration_id: int) -> PushCaller:
    """Authenticate a push for `integration_id` and count it; 401 for any wrong token, 429 over the limit.

    A token of another integration, of a deactivated one, a revoked token or a session token all get the
    same 401, so the answer says nothing about which integrations exist.
    """
    if not is_push_token(token):
        raise NotAuthenticated(WRONG_TOKEN)
    row = db_session.execute(
        _USE, {"token_hash": token_digest(token), "window": settings.push_rate_window_seconds}
    ).one_or_none()
    if row is None or row.integration_id != integration_id:
        raise NotAuthenticated(WRONG_TOKEN)
    if row.window_count > settings.push_rate_limit:
        raise Throttled(
            f"More than {settings.push_rate_limit} pushes in {settings.push_rate_window_seconds} s with this token",
            retry_after=math.ceil(float(row.seconds_left)),
        )
    return PushCaller(client_id=row.client_id, integration_id=row.integration_id, token_id=row.id)
