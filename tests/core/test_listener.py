"""The LISTEN connection: delivers notifications, and notices a connection that went silent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import psycopg

from pulse.core.listener import PgListener
from tests.pgproxy import PgProxy, upstream_of


async def _until(condition: Callable[[], bool], seconds: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition still false"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def test_a_silent_connection_counts_as_lost_and_is_replaced(database_url: str) -> None:
    proxy = PgProxy(upstream_of(database_url))
    url = proxy.url_for(database_url, proxy.start())
    heard: list[str] = []
    states: list[bool] = []

    async def scenario() -> None:
        listener = PgListener(url, heartbeat_seconds=0.3, retry_max_seconds=0.2)
        listener.subscribe("pulse_test_channel", heard.append)
        listener.on_state(states.append)
        listener.start()
        try:
            await _until(listener.connected.is_set, 10)
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
                await conn.execute("NOTIFY pulse_test_channel, 'before'")
                await _until(lambda: heard == ["before"], 5)
                proxy.freeze()  # no reset, no answer: only the heartbeat can tell
                lost_after = await _until(lambda: not listener.connected.is_set(), 5)
                assert lost_after < 0.3 * 2 + 0.5
                assert states == [True, False]
                proxy.thaw()
                await _until(listener.connected.is_set, 10)
                assert listener.connections >= 2
                await conn.execute("NOTIFY pulse_test_channel, 'after'")
                await _until(lambda: heard[-1:] == ["after"], 5)
        finally:
            await listener.stop()

    try:
        asyncio.run(scenario())
    finally:
        proxy.stop()
