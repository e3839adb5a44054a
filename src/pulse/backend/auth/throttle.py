"""Login throttling in the database, per email and per client IP, so every replica shares the counters.

A failure increments both counters; reaching `login_max_failures` locks the key for
`login_lockout_seconds`, doubled for each further failure (up to `login_lockout_max_seconds`). A counter
starts over only after a quiet window both since its last failure and since its lock ended, so waiting out
a lock does not reset the back-off. A successful login clears the email's counter but never the IP's:
otherwise one valid account would let an attacker reset the IP counter at will.

Attempts on one email, and attempts from one IP, run one at a time on every replica (transaction-level
advisory locks taken before the counters are read), so a parallel burst cannot outrun either counter. The
email lock also orders a login against a password change of the same account.
"""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.core.config import Settings
from pulse.core.errors import Throttled

# Always email first, then IP: one order everywhere, so two attempts can never wait for each other.
ATTEMPT_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"


def email_lock_key(email: str) -> str:
    """The advisory-lock key that serialises attempts on one account."""
    return f"login:{email}"


def ip_lock_key(ip: str) -> str:
    """The advisory-lock key that serialises attempts from one client IP."""
    return f"login-ip:{ip}"


def lock_account(*, db_session: Session, email: str) -> None:
    """Wait for, then hold until commit, the account's attempt lock (what a login on it holds)."""
    db_session.execute(text(ATTEMPT_LOCK_SQL), {"k": email_lock_key(email)})


_QUIET = (
    "(t.last_failure_at < now() - make_interval(mins => :window)"
    " AND (t.locked_until IS NULL OR t.locked_until < now() - make_interval(mins => :window)))"
)
_NEXT = f"(CASE WHEN {_QUIET} THEN 1 ELSE t.failures + 1 END)"
_LOCK = (
    "CASE WHEN {n} >= :max THEN now() + make_interval(secs => least(:cap, :base * power(2, {n} - :max))) ELSE NULL END"
)

RECORD_SQL = f"""
    INSERT INTO login_throttles AS t (client_id, scope, key, failures, first_failure_at, last_failure_at, locked_until)
    VALUES (:client_id, 'email', :email, 1, now(), now(), {_LOCK.format(n="1")}),
           (NULL, 'ip', :ip, 1, now(), now(), {_LOCK.format(n="1")})
    ON CONFLICT (scope, key) DO UPDATE SET
        failures = {_NEXT},
        first_failure_at = CASE WHEN {_QUIET} THEN now() ELSE t.first_failure_at END,
        last_failure_at = now(),
        locked_until = {_LOCK.format(n=_NEXT)},
        client_id = coalesce(EXCLUDED.client_id, t.client_id),
        last_updated_at = now()
    RETURNING scope, failures, locked_until
    """
_RECORD = text(RECORD_SQL)

_LOCKED = text(
    """
    SELECT extract(epoch FROM max(locked_until) - now())
    FROM login_throttles
    WHERE ((scope = 'email' AND key = :email) OR (scope = 'ip' AND key = :ip)) AND locked_until > now()
    """
)


# Counters that can no longer lock anything: quiet for a window since their last failure and their lock.
PRUNE_SQL = """
DELETE FROM login_throttles t
WHERE t.last_failure_at < now() - make_interval(mins => :window)
  AND (t.locked_until IS NULL OR t.locked_until < now() - make_interval(mins => :window))
"""
# Failed logins prune now and then, so sprayed emails and addresses do not pile up.
PRUNE_PROBABILITY = 0.01


def prune(*, db_session: Session, settings: Settings) -> int:
    """Delete counters that have gone quiet; returns how many."""
    result = db_session.execute(text(PRUNE_SQL), {"window": settings.login_window_minutes})
    return int(getattr(result, "rowcount", 0) or 0)


def check(*, db_session: Session, email: str, ip: str) -> None:
    """Raise Throttled (with the seconds to wait) while the email or the IP is locked."""
    seconds = db_session.scalar(_LOCKED, {"email": email, "ip": ip})
    if seconds is not None:
        raise Throttled("Too many failed logins; try again later", retry_after=math.ceil(float(seconds)))


def record_params(*, settings: Settings, email: str, ip: str, client_id: int | None) -> dict[str, object]:
    """Parameters of RECORD_SQL."""
    return {
        "client_id": client_id,
        "email": email,
        "ip": ip,
        "window": settings.login_window_minutes,
        "max": settings.login_max_failures,
        "base": settings.login_lockout_seconds,
        "cap": settings.login_lockout_max_seconds,
    }


def record_failure(
    *, db_session: Session, settings: Settings, email: str, ip: str, client_id: int | None
) -> dict[str, int]:
    """Count one failed login against the email and the IP; returns the failure counts by scope."""
    rows = db_session.execute(_RECORD, record_params(settings=settings, email=email, ip=ip, client_id=client_id)).all()
    return {scope: failures for scope, failures, _ in rows}
