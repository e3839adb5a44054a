"""A cache of token answers that revocations empty: both services keep validated callers in one.

Entries are keyed by the token's SHA-256, carry the session, user and tenant they describe, and live until
their own deadline. An `AuthEvent` (heard on `pulse_auth_events`, or applied in-process when this process
commits the change) evicts every entry it covers at once. While the listener is disconnected, events can be
missed, so the cache keeps nothing and answers nothing until it is back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from pulse.core.auth_events import CHANNEL, AuthEvent
from pulse.core.listener import PgListener
from pulse.core.logging import get_logger

log = get_logger(__name__)

V = TypeVar("V")


@dataclass(frozen=True)
class Owner:
    """Whose entry it is: what an AuthEvent is matched against."""

    session_id: str
    user_id: int
    client_id: int


class RevocableCache(Generic[V]):
    """Token digest -> answer, bounded in size and time, evicted by auth events.

    Thread-safe: requests read it on the event loop while the Backend evicts from the thread that commits
    a revocation.
    """

    def __init__(self, *, size: int, enabled: bool = True):
        self.size = size
        self.enabled = enabled and size > 0
        self._entries: OrderedDict[str, tuple[V, Owner, float]] = OrderedDict()
        self._lock = threading.Lock()
        # Bumped on every eviction: an answer read from the database before a revocation must not be cached
        # after it.
        self._generation = 0
        self._listening = False

    @property
    def caching(self) -> bool:
        """Whether entries are kept and served: only while revocations can reach this process."""
        return self.enabled and self._listening

    @property
    def generation(self) -> int:
        """Take this before asking the database; pass it to `put` with the answer."""
        return self._generation

    def attach(self, listener: PgListener) -> None:
        """Hear auth events and the listener's state (call before the listener starts)."""
        listener.subscribe(CHANNEL, self.handle_payload)
        listener.on_state(self.set_listening)

    def set_listening(self, connected: bool) -> None:
        """The listener (dis)connected: either way, what was cached before may have missed an event."""
        self._listening = connected
        self.clear()

    def get(self, key: str) -> V | None:
        """The live answer for this token digest, if any."""
        if not self.caching:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[2] <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: str, value: V, *, owner: Owner, ttl: float, generation: int) -> None:
        """Keep an answer for `ttl` seconds, unless an event arrived since `generation` was taken."""
        if not self.caching or ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key] = (value, owner, time.monotonic() + ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def evict(self, event: AuthEvent) -> None:
        """Drop every entry of the event's sessions, user or tenant."""
        with self._lock:
            self._generation += 1
            doomed = [
                key
                for key, (_, owner, _) in self._entries.items()
                if event.covers(session_id=owner.session_id, user_id=owner.user_id, client_id=owner.client_id)
            ]
            for key in doomed:
                del self._entries[key]
        log.debug("auth_cache_evicted", kind=event.kind, entries=len(doomed))

    def handle_payload(self, payload: str) -> None:
        """A NOTIFY payload from the auth channel; anything unreadable empties the whole cache."""
        try:
            event = AuthEvent.from_payload(payload)
        except (ValueError, TypeError, KeyError):
            log.warning("auth_event_malformed")
            self.clear()
            return
        self.evict(event)

    def __len__(self) -> int:
        return len(self._entries)
