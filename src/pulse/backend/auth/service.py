"""Login, validation, logout and password changes: the Backend's authority on who is calling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

import psycopg
import psycopg_pool
from psycopg.rows import namedtuple_row
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pulse.backend import events
from pulse.backend.audit import service as audit_service
from pulse.backend.auth import schemas as auth_schemas
from pulse.backend.auth import throttle, tokens
from pulse.backend.rbac import service as rbac_service
from pulse.backend.sessions import service as session_service
from pulse.backend.users import service as user_service
from pulse.core.auth_cache import Owner, RevocableCache
from pulse.core.config import Settings
from pulse.core.db.models import User, UserSession
from pulse.core.errors import DependencyUnavailable, InvalidInput, NotAuthenticated, Throttled
from pulse.core.logging import get_logger
from pulse.core.security import hash_iterations, hash_password, token_digest, verify_password

log = get_logger(__name__)

BAD_CREDENTIALS = "Invalid email or password"
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid token: session, user, tenant and effective permissions."""

    session_id: uuid.UUID
    session_created_at: datetime
    last_activity_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    user_id: int
    client_id: int
    email: str
    first_name: str
    last_name: str
    role: str
    is_admin: bool
    permissions: frozenset[tuple[str, str]]

    def can(self, resource: str, action: str) -> bool:
        """Whether the effective permissions include this one."""
        return (resource, action) in self.permissions

    @cached_property
    def validate_answer(self) -> bytes:
        """The `/auth/validate` body for this caller (built once, then served from the cache)."""
        return auth_schemas.validate_answer(self)

    def user_dict(self) -> dict[str, Any]:
        """The wire shape of the caller's user."""
        return {
            "id": self.user_id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "role": self.role,
            "is_admin": self.is_admin,
            "client_id": self.client_id,
        }


@dataclass(frozen=True)
class LoginUser:
    """The user a login is for, as read in the login's one lookup."""

    id: int
    client_id: int
    email: str
    first_name: str
    last_name: str
    role: str
    is_admin: bool


@dataclass(frozen=True)
class LoginResult:
    """A new session: who it is for, and the answer carrying its token (the only time the token leaves)."""

    session_id: uuid.UUID
    user: LoginUser
    answer: bytes  # the JSON body (token, session, user, permissions), built while the hash runs


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from, for sessions, throttling and the audit trail."""

    ip: str
    user_agent: str | None
    request_id: str | None


@lru_cache(maxsize=4)
def dummy_hash(iterations: int) -> str:
    """A hash to check unknown emails against, so they cost the same PBKDF2 work as real ones."""
    return hash_password("pulse-dummy-password-for-timing", iterations=iterations)


def _psycopg(sql: str) -> str:
    """`:name` placeholders (SQLAlchemy style) as psycopg's `%(name)s`, leaving `::type` casts alone."""
    return re.sub(r"(?<![:\w]):([a-z_]+)\b", r"%(\1)s", sql)


# Login reads everything it needs in one statement (the throttle state of the email and IP, the user, the
# tenant's state, the overrides) and writes everything in one more. Pipelined, a login waits for the
# database twice: for [BEGIN, lock, lookup] before the hash, and for COMMIT after it. The write is sent
# while the hash runs, inside a savepoint, so a wrong password only has to roll it back.
_LOGIN_LOCK = _psycopg(throttle.ATTEMPT_LOCK_SQL)

_LOGIN_LOOKUP = """
SELECT
    (SELECT extract(epoch FROM max(t.locked_until) - now()) FROM login_throttles t
     WHERE ((t.scope = 'email' AND t.key = %(email)s) OR (t.scope = 'ip' AND t.key = %(ip)s))
       AND t.locked_until > now()) AS wait_seconds,
    u.id, u.client_id, u.email, u.first_name, u.last_name, u.role, u.is_admin, u.password_hash,
    u.active AS user_active, c.active AS client_active,
    coalesce((SELECT json_agg(json_build_array(p.resource, p.action, p.granted))
              FROM user_permissions p WHERE p.user_id = u.id AND p.active), '[]'::json) AS overrides
FROM (SELECT 1) AS one
LEFT JOIN users u ON u.email = %(email)s
LEFT JOIN clients c ON c.id = u.client_id
"""

_LOGIN_WRITE = """
WITH reset AS (
    DELETE FROM login_throttles WHERE scope = 'email' AND key = %(email)s
), opened AS (
    INSERT INTO user_sessions (id, client_id, user_id, token_hash, expires_at, last_activity_at, ip_address,
                               user_agent)
    VALUES (%(session_id)s, %(client_id)s, %(user_id)s, %(token_hash)s, %(expires_at)s, %(now)s, %(ip)s,
            %(user_agent)s)
), audited AS (
    INSERT INTO audit_events (client_id, user_id, actor_email, event_type, ip_address, user_agent, request_id,
                              details)
    VALUES (%(client_id)s, %(user_id)s, %(email)s, 'login_succeeded', %(ip)s, %(user_agent)s, %(request_id)s,
            jsonb_build_object('session_id', %(session_id)s::text))
)
UPDATE users SET last_login_at = %(now)s WHERE id = %(user_id)s
"""

# Only over the hash this login checked: never write an old password back over a newer one.
_UPGRADE_HASH = "UPDATE users SET password_hash = %(new_hash)s WHERE id = %(user_id)s AND password_hash = %(checked)s"

# A refused login (wrong credentials, or throttled before any check) in the tenant's trail; tenant-less when
# the email is unknown, so no tenant sees attempts on emails it does not have.
_LOGIN_REFUSED_AUDIT = """
INSERT INTO audit_events (client_id, user_id, actor_email, event_type, ip_address, user_agent, request_id, details)
VALUES (%(client_id)s, %(user_id)s, %(email)s, %(event_type)s, %(ip)s, %(user_agent)s, %(request_id)s,
        %(details)s::jsonb)
"""

_RECORD_FAILURE = _psycopg(throttle.RECORD_SQL)
_PRUNE = _psycopg(throttle.PRUNE_SQL)


async def login(
    *, pool: psycopg_pool.AsyncConnectionPool[Any], settings: Settings, email: str, password: str, meta: RequestMeta
) -> LoginResult:
    """Check credentials (throttled), then open a new session and sign its token; a failure is recorded."""
    address = user_service.normalise_email(email)
    user_agent = (meta.user_agent or "")[:USER_AGENT_MAX] or None
    failed: psycopg.AsyncCursor[Any] | None = None
    result: LoginResult | None = None
    retry_after: int | None = None  # set when throttled
    try:
        async with pool.connection() as conn:
            # Explicit BEGIN/COMMIT inside one pipeline: psycopg's transaction() would add a wait at each end.
            async with conn.pipeline() as pipeline:
                done = False
                try:
                    await conn.execute("BEGIN")
                    # Attempts on one email, and from one IP, run one at a time across replicas, so a parallel
                    # burst cannot outrun the counters; the lookup runs after the locks are held, so it sees
                    # the previous attempt's failures (and a password change that committed meanwhile).
                    await conn.execute(_LOGIN_LOCK, {"k": throttle.email_lock_key(address)})
                    await conn.execute(_LOGIN_LOCK, {"k": throttle.ip_lock_key(meta.ip)})
                    lookup = conn.cursor(row_factory=namedtuple_row)
                    await lookup.execute(_LOGIN_LOOKUP, {"email": address, "ip": meta.ip})
                    await pipeline.sync()  # wait 1 of 2: BEGIN, lock, lookup
                    row = await lookup.fetchone()
                    assert row is not None
                    if row.wait_seconds is not None:
                        retry_after = math.ceil(row.wait_seconds)
                        await conn.execute(
                            _LOGIN_REFUSED_AUDIT,
                            _refusal(row, address, meta, user_agent, "login_throttled", {"retry_after": retry_after}),
                        )
                        await conn.execute("COMMIT")
                        done = True
                    else:
                        stored: str | None = row.password_hash
                        # Unknown emails still pay for one hash: timing must not reveal which emails exist.
                        hashing = await _start_hash(password, stored or dummy_hash(settings.password_iterations))
                        usable = bool(stored and row.user_active and row.client_active)
                        if usable:
                            # While the hash runs: sign the token and send the session's write (no wait).
                            await conn.execute("SAVEPOINT login_write")
                            result, params = _open_session(settings=settings, row=row, meta=meta)
                            await conn.execute(_LOGIN_WRITE, {**params, "email": address, "user_agent": user_agent})
                        matches = await hashing
                        if matches and usable:
                            if hash_iterations(row.password_hash) < settings.password_iterations:
                                upgraded = await run_in_threadpool(
                                    hash_password, password, iterations=settings.password_iterations
                                )
                                await conn.execute(
                                    _UPGRADE_HASH, {"new_hash": upgraded, "user_id": row.id, "checked": stored}
                                )
                        else:
                            if usable:
                                await conn.execute("ROLLBACK TO SAVEPOINT login_write")
                            result = None
                            failed = await _queue_failure(
                                conn, settings=settings, address=address, row=row, meta=meta, user_agent=user_agent
                            )
                        await conn.execute("COMMIT")
                        done = True
                finally:
                    if not done:
                        with contextlib.suppress(psycopg.Error):
                            await conn.execute("ROLLBACK")
            # Leaving the pipeline is wait 2 of 2: COMMIT (or ROLLBACK), and the results of the write.
    except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
        raise DependencyUnavailable("The database is unavailable; retry shortly") from exc
    if retry_after is not None:
        log.warning("login_throttled", client_id=row.client_id, user_id=row.id)
        raise Throttled("Too many failed logins; try again later", retry_after=retry_after)
    if failed is not None or result is None:
        counts = {scope: failures for scope, failures, _ in await failed.fetchall()} if failed else {}
        log.warning("login_failed", user_id=row.id, client_id=row.client_id, failures=counts)
        raise NotAuthenticated(BAD_CREDENTIALS)
    log.info(
        "login_succeeded", user_id=result.user.id, client_id=result.user.client_id, session_id=str(result.session_id)
    )
    return result


async def _start_hash(password: str, stored: str) -> asyncio.Future[bool]:
    """Start checking a password in a worker thread; returns once the thread runs, not when it is done.

    The event loop then signs the token and sends the write while the hash runs. Waiting for the start
    matters: busy with that Python work, the loop would hold the GIL, and the thread could not begin.
    """
    loop = asyncio.get_running_loop()
    running: asyncio.Future[None] = loop.create_future()

    def started() -> None:
        if not running.done():  # the request may have been cancelled meanwhile
            running.set_result(None)

    def check() -> bool:
        loop.call_soon_threadsafe(started)
        return verify_password(password, stored)

    hashing = loop.run_in_executor(None, check)
    await running
    return hashing


async def _queue_failure(
    conn: psycopg.AsyncConnection[Any],
    *,
    settings: Settings,
    address: str,
    row: Any,
    meta: RequestMeta,
    user_agent: str | None,
) -> psycopg.AsyncCursor[Any]:
    """Queue a failed login's counter update and audit event; returns the cursor holding the new counts."""
    failed = conn.cursor()
    await failed.execute(
        _RECORD_FAILURE,
        throttle.record_params(settings=settings, email=address, ip=meta.ip, client_id=row.client_id),
    )
    if random.random() < throttle.PRUNE_PROBABILITY:
        await conn.execute(_PRUNE, {"window": settings.login_window_minutes})
    await conn.execute(_LOGIN_REFUSED_AUDIT, _refusal(row, address, meta, user_agent, "login_failed", {}))
    return failed


def _refusal(
    row: Any, address: str, meta: RequestMeta, user_agent: str | None, event_type: str, details: dict[str, Any]
) -> dict[str, Any]:
    """Parameters of the audit event of a refused login."""
    return {
        "client_id": row.client_id,
        "user_id": row.id,
        "email": address,
        "event_type": event_type,
        "ip": meta.ip,
        "user_agent": user_agent,
        "request_id": meta.request_id,
        "details": json.dumps(details),
    }


def _open_session(*, settings: Settings, row: Any, meta: RequestMeta) -> tuple[LoginResult, dict[str, Any]]:
    """Sign the new session's token; returns it and the parameters of the write that records the session."""
    user = LoginUser(
        id=row.id,
        client_id=row.client_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        role=row.role,
        is_admin=row.is_admin,
    )
    now = datetime.now(UTC)
    session_id = uuid.uuid4()
    expires_at = now + timedelta(minutes=settings.session_lifetime_minutes)
    token = tokens.issue(
        secret=settings.jwt_secret(),
        algorithm=settings.jwt_algorithm,
        user_id=user.id,
        session_id=session_id,
        client_id=user.client_id,
        role=user.role,
        issued_at=now,
        expires_at=expires_at,
    )
    permissions = rbac_service.effective(user.role, [(r, a, bool(g)) for r, a, g in row.overrides])
    answer = auth_schemas.login_answer(
        token=token, session_id=session_id, expires_at=expires_at, user=user, permissions=permissions
    )
    result = LoginResult(session_id=session_id, user=user, answer=answer)
    params = {
        "session_id": session_id,
        "client_id": user.client_id,
        "user_id": user.id,
        "token_hash": token_digest(token),
        "expires_at": expires_at,
        "now": now,
        "ip": meta.ip,
        "request_id": meta.request_id,
    }
    return result, params


# Last activity is written at most this often per session; a cached caller is re-read at least this often,
# so the write still happens and idle expiry still counts from it.
ACTIVITY_WRITE_SECONDS = 60

# One statement, one round trip: the session (live, unexpired, not idle, hash matching), its user and
# tenant (both active), the user's overrides; and, at most once a minute, the session's last activity.
_VALIDATE_SQL = """
WITH s AS (
    SELECT id, user_id, client_id, expires_at, created_at, last_activity_at, ip_address, user_agent
    FROM user_sessions
    WHERE id = %(sid)s AND token_hash = %(th)s AND active AND expires_at > now()
      AND last_activity_at > now() - make_interval(mins => %(idle)s)
), touch AS (
    UPDATE user_sessions t SET last_activity_at = now()
    FROM s WHERE t.id = s.id AND s.last_activity_at < now() - make_interval(secs => %(write_every)s)
    RETURNING t.last_activity_at
)
SELECT s.id, s.created_at, coalesce((SELECT last_activity_at FROM touch), s.last_activity_at), s.expires_at,
       s.ip_address, s.user_agent, u.id, u.client_id, u.email, u.first_name, u.last_name, u.role, u.is_admin,
       coalesce((SELECT json_agg(json_build_array(p.resource, p.action, p.granted))
                 FROM user_permissions p WHERE p.user_id = u.id AND p.active), '[]'::json),
       now()
FROM s
JOIN users u ON u.id = s.user_id AND u.client_id = s.client_id AND u.active
JOIN clients c ON c.id = s.client_id AND c.active
WHERE u.id = %(uid)s AND s.client_id = %(cid)s
"""


async def authenticate(
    *,
    pool: psycopg_pool.AsyncConnectionPool[Any],
    settings: Settings,
    token: str,
    cache: RevocableCache[Principal] | None = None,
) -> Principal:
    """Validate a bearer token against its signature and the database (or the revocable cache of both).

    NotAuthenticated for any failure; failures are never cached.
    """
    claims = tokens.verify(token, secret=settings.jwt_secret(), algorithm=settings.jwt_algorithm)
    digest = token_digest(token)
    if cache is not None and (cached := cache.get(digest)) is not None:
        return cached
    generation = cache.generation if cache is not None else 0
    params = {
        "sid": claims.session_id,
        "th": digest,
        "idle": settings.session_idle_minutes,
        "write_every": ACTIVITY_WRITE_SECONDS,
        "uid": claims.user_id,
        "cid": claims.client_id,
    }
    try:
        async with pool.connection() as conn:
            cursor = await conn.execute(_VALIDATE_SQL, params)
            row = await cursor.fetchone()
    except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
        raise DependencyUnavailable("The database is unavailable; retry shortly") from exc
    if row is None:
        raise NotAuthenticated("Invalid or expired token")
    (
        sid,
        created,
        last_activity,
        expires,
        ip,
        agent,
        uid,
        cid,
        email,
        first,
        last,
        role,
        is_admin,
        overrides,
        db_now,
    ) = row
    principal = Principal(
        session_id=sid,
        session_created_at=created,
        last_activity_at=last_activity,
        expires_at=expires,
        ip_address=ip,
        user_agent=agent,
        user_id=uid,
        client_id=cid,
        email=email,
        first_name=first,
        last_name=last,
        role=role,
        is_admin=is_admin,
        permissions=rbac_service.effective(role, [(r, a, bool(g)) for r, a, g in overrides]),
    )
    if cache is not None:
        ttl = trust_seconds(settings, principal, db_now=db_now, token_expires=claims.expires)
        owner = Owner(session_id=str(sid), user_id=uid, client_id=cid)
        cache.put(digest, principal, owner=owner, ttl=ttl, generation=generation)
    return principal


def trust_seconds(settings: Settings, principal: Principal, *, db_now: datetime, token_expires: int) -> float:
    """How long a validated caller may be served from the cache: never past the next activity write, idle
    expiry, the session's end or the token's `exp` (all measured on the database clock), nor the setting."""
    activity = principal.last_activity_at
    session_ends = min(
        principal.expires_at,
        activity + timedelta(seconds=ACTIVITY_WRITE_SECONDS),
        activity + timedelta(minutes=settings.session_idle_minutes),
    )
    token_left = token_expires - time.time()
    return min(settings.auth_cache_ttl_seconds, (session_ends - db_now).total_seconds(), token_left)


def logout(*, db_session: Session, settings: Settings, token: str, meta: RequestMeta) -> uuid.UUID:
    """End the token's session (idempotent: an already-ended session stays ended); needs a genuine token."""
    # Expired tokens may still log out: ending their session is harmless and keeps logout idempotent.
    claims = tokens.verify(token, secret=settings.jwt_secret(), algorithm=settings.jwt_algorithm, verify_exp=False)
    session = db_session.scalar(
        select(UserSession).where(
            UserSession.id == claims.session_id,
            UserSession.client_id == claims.client_id,
            UserSession.token_hash == token_digest(token),
        )
    )
    if session is None:
        raise NotAuthenticated("Invalid or expired token")
    ended = session_service.end(
        db_session=db_session,
        reason="logout",
        client_id=session.client_id,
        user_id=session.user_id,
        session_ids=[session.id],
    )
    if ended:
        audit_service.record(
            db_session=db_session,
            event_type="logout",
            client_id=session.client_id,
            user_id=session.user_id,
            ip_address=meta.ip,
            user_agent=meta.user_agent,
            request_id=meta.request_id,
            details={"session_id": str(session.id)},
        )
        log.info("session_invalidated", session_id=str(session.id), user_id=session.user_id, reason="logout")
    return session.id


def change_password(
    *,
    db_session: Session,
    settings: Settings,
    principal: Principal,
    current_password: str,
    new_password: str,
    meta: RequestMeta,
) -> int:
    """Replace the caller's password after checking the current one; ends the caller's other sessions."""
    # Held until commit: a login on this account waits, then sees the new hash (and its session cannot slip
    # in after the other sessions were ended); parallel wrong guesses here count one at a time.
    throttle.lock_account(db_session=db_session, email=principal.email)
    throttle.check(db_session=db_session, email=principal.email, ip=meta.ip)
    user = db_session.get(User, principal.user_id, with_for_update=True)
    if user is None or not user.active:
        raise NotAuthenticated("Invalid or expired token")
    if not verify_password(current_password, user.password_hash or dummy_hash(settings.password_iterations)):
        # Guessing through this route counts like guessing at login.
        throttle.record_failure(
            db_session=db_session, settings=settings, email=user.email, ip=meta.ip, client_id=user.client_id
        )
        db_session.commit()
        raise InvalidInput("current password is wrong", field="current_password")
    user_service.check_password_policy(password=new_password, email=user.email, settings=settings)
    if new_password == current_password:
        raise InvalidInput("the new password must differ from the current one", field="new_password")
    user.password_hash = hash_password(new_password, iterations=settings.password_iterations)
    ended = session_service.end(
        db_session=db_session,
        reason="password_changed",
        client_id=user.client_id,
        user_id=user.id,
        keep=principal.session_id,
    )
    audit_service.record(
        db_session=db_session,
        event_type="password_changed",
        client_id=user.client_id,
        user_id=user.id,
        actor_email=user.email,
        ip_address=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        details={"sessions_ended": len(ended)},
    )
    events.publish(db_session=db_session, kind="user_changed", user_id=user.id, client_id=user.client_id)
    db_session.flush()
    log.info("password_changed", user_id=user.id, sessions_ended=len(ended))
    return len(ended)
