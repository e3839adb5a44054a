"""One dedicated PostgreSQL connection that LISTENs on a few channels and reconnects by itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg import sql

from pulse.core.logging import get_logger

log = get_logger(__name__)


Handler = Callable[[str], Awaitable[None] | None]
StateHandler = Callable[[bool], None]


class PgListener:
    """LISTEN on channels; call each channel's handler with the payload; tell watchers when it is (dis)connected.

    While disconnected, notifications are lost, so watchers must not trust caches until `on_state(True)`
    says the listener is back (and they should drop what they cached meanwhile). After `heartbeat_seconds`
    without a notification the connection must answer a query within that time, or it counts as lost.
    """

    def __init__(self, url: str, *, retry_max_seconds: float = 5.0, heartbeat_seconds: float = 5.0):
        self.url = url
        self.retry_max_seconds = retry_max_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self._handlers: dict[str, list[Handler]] = {}
        self._state_handlers: list[StateHandler] = []
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it (re)connected

    def subscribe(self, channel: str, handler: Handler) -> None:
        """Call `handler(payload)` for each NOTIFY on `channel` (register before `start`)."""
        self._handlers.setdefault(channel, []).append(handler)

    def on_state(self, handler: StateHandler) -> None:
        """Call `handler(connected)` whenever the listener connects or loses its connection."""
        self._state_handlers.append(handler)

    def start(self) -> None:
        """Run the listen loop in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pg-listener")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self._set_state(False)

    async def _heartbeat(self, conn: psycopg.AsyncConnection[Any]) -> None:
        probe = asyncio.ensure_future(conn.execute("SELECT 1"))
        done, _ = await asyncio.wait({probe}, timeout=self.heartbeat_seconds)
        if not done:
            self._set_state(False)  # at once: giving up on a dead connection can take psycopg seconds
            probe.cancel()
            await asyncio.wait({probe}, timeout=10)
            raise ConnectionError("the LISTEN connection stopped answering")
        probe.result()

    async def _dispatch(self, channel: str, payload: str) -> None:
        for handler in self._handlers.get(channel, []):
            try:
                result = handler(payload)
                if result is not None:
                    await result
            except Exception:
                log.exception("listener_handler_failed", channel=channel)

    def _set_state(self, connected: bool) -> None:
        if connected == self.connected.is_set():
            return
        if connected:
            self.connected.set()
        else:
            self.connected.clear()
        for handler in self._state_handlers:
            handler(connected)

    async def _run(self) -> None:
        delay = 0.2
        while True:
            try:
                # TCP keepalives back up the heartbeat below: the kernel notices a dead peer too.
                async with await psycopg.AsyncConnection.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=5,
                    keepalives=1,
                    keepalives_idle=10,
                    keepalives_interval=5,
                    keepalives_count=3,
                ) as conn:
                    for channel in self._handlers:
                        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self.connections += 1
                    self._set_state(True)
                    delay = 0.2
                    while True:
                        async for notify in conn.notifies(timeout=self.heartbeat_seconds):
                            await self._dispatch(notify.channel, notify.payload)
                        # A quiet connection may be a dead one (a dropped NAT entry sends no reset): prove it
                        # answers, or give it up, so watchers stop trusting their caches.
                        await self._heartbeat(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("listener_disconnected", error=type(exc).__name__, retry_in=delay)
            self._set_state(False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_max_seconds)
