"""The revocable token cache: what it keeps, for how long, and what empties it."""

from __future__ import annotations

import time

from pulse.core.auth_cache import Owner, RevocableCache
from pulse.core.auth_events import AuthEvent

ALICE = Owner(session_id="s-alice", user_id=1, client_id=10)
ALICE_PHONE = Owner(session_id="s-alice-2", user_id=1, client_id=10)
BOB = Owner(session_id="s-bob", user_id=2, client_id=10)
CAROL = Owner(session_id="s-carol", user_id=3, client_id=20)


def _filled() -> RevocableCache[str]:
    cache: RevocableCache[str] = RevocableCache(size=100)
    cache.set_listening(True)
    for owner in (ALICE, ALICE_PHONE, BOB, CAROL):
        cache.put(owner.session_id, owner.session_id, owner=owner, ttl=60, generation=cache.generation)
    return cache


def _kept(cache: RevocableCache[str]) -> set[str]:
    return {o.session_id for o in (ALICE, ALICE_PHONE, BOB, CAROL) if cache.get(o.session_id) is not None}


def test_nothing_is_kept_or_served_until_the_listener_is_connected() -> None:
    cache: RevocableCache[str] = RevocableCache(size=100)
    cache.put("k", "v", owner=ALICE, ttl=60, generation=cache.generation)
    assert cache.get("k") is None
    cache.set_listening(True)
    cache.put("k", "v", owner=ALICE, ttl=60, generation=cache.generation)
    assert cache.get("k") == "v"
    cache.set_listening(False)  # events may be lost from now on
    assert cache.get("k") is None
    cache.set_listening(True)  # and what was cached before the outage is gone
    assert cache.get("k") is None


def test_an_entry_lives_until_its_own_deadline() -> None:
    cache = _filled()
    cache.put("short", "v", owner=ALICE, ttl=0.05, generation=cache.generation)
    assert cache.get("short") == "v"
    time.sleep(0.08)
    assert cache.get("short") is None
    cache.put("never", "v", owner=ALICE, ttl=0, generation=cache.generation)
    assert cache.get("never") is None


def test_an_answer_read_before_a_revocation_is_not_cached_after_it() -> None:
    cache = _filled()
    generation = cache.generation  # a request starts asking the database...
    cache.evict(AuthEvent(kind="sessions_revoked", session_ids=["s-other"]))  # ...a revocation lands...
    cache.put("late", "v", owner=ALICE, ttl=60, generation=generation)  # ...its answer may be stale
    assert cache.get("late") is None


def test_events_evict_exactly_what_they_name() -> None:
    cache = _filled()
    cache.evict(AuthEvent(kind="sessions_revoked", session_ids=["s-alice"], user_id=1, client_id=10))
    assert _kept(cache) == {"s-alice-2", "s-bob", "s-carol"}  # only the ended session

    cache = _filled()
    cache.evict(AuthEvent(kind="user_changed", user_id=1, client_id=10))
    assert _kept(cache) == {"s-bob", "s-carol"}  # every session of that user, no one else in the tenant

    cache = _filled()
    cache.evict(AuthEvent(kind="client_changed", client_id=10))
    assert _kept(cache) == {"s-carol"}  # the whole tenant


def test_a_malformed_payload_empties_the_cache() -> None:
    cache = _filled()
    cache.handle_payload('{"kind": "something_else"}')
    assert _kept(cache) == set()
    cache = _filled()
    cache.handle_payload(AuthEvent(kind="user_changed", user_id=2, client_id=10).to_payload())
    assert _kept(cache) == {"s-alice", "s-alice-2", "s-carol"}


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache: RevocableCache[str] = RevocableCache(size=2)
    cache.set_listening(True)
    cache.put("a", "a", owner=ALICE, ttl=60, generation=cache.generation)
    cache.put("b", "b", owner=BOB, ttl=60, generation=cache.generation)
    assert cache.get("a") == "a"  # a is now the most recently used
    cache.put("c", "c", owner=CAROL, ttl=60, generation=cache.generation)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("a", None, "c")
    assert len(cache) == 2


def test_a_disabled_cache_keeps_nothing() -> None:
    cache: RevocableCache[str] = RevocableCache(size=100, enabled=False)
    cache.set_listening(True)
    cache.put("k", "v", owner=ALICE, ttl=60, generation=cache.generation)
    assert cache.get("k") is None
