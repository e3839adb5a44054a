"""Deterministic fault injection: server errors, dropped connections, secondary limits, latency."""

from __future__ import annotations

import asyncio
import enum
import random
from typing import Any

from pulse.sim.config import Knobs

RAW_SEND = "pulse.sim.raw_send"


class Fault(enum.Enum):
    """What to do with one request instead of answering it normally."""

    NONE = "none"
    ERROR_500 = "error_500"
    ERROR_502 = "error_502"
    DROP = "drop"
    SECONDARY = "secondary"


class FaultInjector:
    """Decides each request's fate from a seeded RNG, so a run is reproducible request by request."""

    def __init__(self, knobs: Knobs) -> None:
        self.configure(knobs)

    def configure(self, knobs: Knobs) -> None:
        """Apply knobs and restart the random sequence from `fault_seed`."""
        self.knobs = knobs
        self.rng = random.Random(f"pulse-sim-faults:{knobs.fault_seed}")
        self.count = 0

    def decide(self) -> Fault:
        """The fault (or none) for the next API request."""
        self.count += 1
        # Always draw twice so changing one rate does not shift the other decisions.
        draw, flavour = self.rng.random(), self.rng.random()
        knobs = self.knobs
        if draw < knobs.drop_connection_rate:
            return Fault.DROP
        if draw < knobs.drop_connection_rate + knobs.error_rate:
            return Fault.ERROR_500 if flavour < 0.5 else Fault.ERROR_502
        if knobs.secondary_limit_every and self.count % knobs.secondary_limit_every == 0:
            return Fault.SECONDARY
        return Fault.NONE

    async def delay(self) -> None:
        """Sleep the configured latency."""
        if self.knobs.latency_ms > 0:
            await asyncio.sleep(self.knobs.latency_ms / 1000)


class GraphQLFaults:
    """Count-down faults of the GraphQL endpoint: the next N queries get a 502, a secondary limit or RATE_LIMITED."""

    KINDS = ("fail_next", "secondary_next", "rate_limited_next")

    def __init__(self) -> None:
        self.left = dict.fromkeys(self.KINDS, 0)

    def arm(self, patch: dict[str, Any]) -> None:
        """Set the counters named in a `graphql` knobs patch (others keep counting down)."""
        for kind in self.KINDS:
            if kind in patch:
                self.left[kind] = int(patch[kind])

    def take(self, kind: str) -> bool:
        """Whether this query gets fault `kind` (using up one of its count)."""
        if self.left[kind] <= 0:
            return False
        self.left[kind] -= 1
        return True


async def drop_connection(scope: dict[str, Any], send: Any) -> None:
    """Close the client's socket without any response bytes.

    Under uvicorn the server's own `send` is a bound method of the request cycle, whose transport we
    abort; elsewhere we start a response and fail mid-body, which makes servers close the connection.
    """
    raw_send = scope.get(RAW_SEND)
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        # Let the server run connection_lost so it does not try to write a 500 to a dead socket.
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
    raise ConnectionAbortedError("simulated dropped connection")
