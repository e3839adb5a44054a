"""Helpers shared by the PagerDuty and Opsgenie connector tests: the expected rows from the simulator's truth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, text

from pulse.etl.connectors.base.interface import Connector, IntegrationConfig
from pulse.sim.gen_incident_tools import Tool, incidents
from pulse.sim.server import RunningSimulator
from tests.connectors.conftest import sim_stats
from tests.connectors.context import DirectContext


def expected_rows(sim: RunningSimulator, tool: Tool) -> dict[str, tuple[Any, ...]]:
    """{external_id: (key, service_id, service_name, opened_at, resolved_at, severity)} as the tool shows them now."""
    ds = sim.app.dataset
    prefix = "PD" if tool == "pagerduty" else "OG"
    return {
        i.id: (
            f"{prefix}-{i.number}",
            i.service.id,
            i.service.name,
            i.opened_at,
            i.resolved_at if i.resolved(ds.now) else None,
            i.priority,
        )
        for i in incidents(ds, tool)
    }


def stored_rows(engine: Engine, integration_id: int) -> dict[str, tuple[Any, ...]]:
    """The same view of the `incidents` rows of one integration."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT external_id, key, service_id, service_name, opened_at, resolved_at, severity "
                "FROM incidents WHERE integration_id = :i AND active"
            ),
            {"i": integration_id},
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def row_count(engine: Engine, integration_id: int) -> int:
    """All rows of the integration, active or not (a duplicate would show here)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM incidents WHERE integration_id = :i"), {"i": integration_id}
            ).scalar_one()
        )


def advance(sim: RunningSimulator, hours: float) -> None:
    """Move the simulated clock: new deployments bring new incidents, open ones resolve."""
    httpx.post(sim.base_url + "/_sim/advance", json={"hours": hours}, timeout=30).raise_for_status()


def fetched(ctx: DirectContext) -> int:
    """Incident records the run fetched (from its progress counts)."""
    return int(ctx.progress_reports[-1]["counts"].get("fetched", 0)) if ctx.progress_reports else 0


def advance_until_one_is_open(sim: RunningSimulator, tool: Tool) -> None:
    """Advance in small steps until some incident is open (deterministic for a given seed)."""
    for _ in range(60):
        if any(v[4] is None for v in expected_rows(sim, tool).values()):
            return
        advance(sim, 4)
    raise AssertionError("no incident ever open")


def check_resync_is_idempotent(engine: Engine, integration: IntegrationConfig, connector: Connector) -> None:
    """A second full run changes no row and adds none."""
    connector.sync(DirectContext(engine, integration))
    first = stored_rows(engine, integration.id)
    connector.sync(DirectContext(engine, integration))
    assert stored_rows(engine, integration.id) == first
    assert row_count(engine, integration.id) == len(first)


def check_connection(connector: Connector, integration: IntegrationConfig, bad: dict[str, str]) -> None:
    """Test-connection says how many services it sees, and 401 for bad credentials."""
    ok, message = connector.test_connection(integration)
    assert ok and "services visible" in message
    ok, message = connector.test_connection(IntegrationConfig(**{**integration.__dict__, "credentials": bad}))
    assert not ok and "401" in message


def check_rate_limited_sync(
    sim: RunningSimulator,
    engine: Engine,
    integration: IntegrationConfig,
    sync: Callable[[Engine, IntegrationConfig], DirectContext],
    tool: Tool,
) -> None:
    """A sync that runs into 429s waits for what the tool's header says and still gets everything."""
    ctx = sync(engine, integration)
    assert stored_rows(engine, integration.id) == expected_rows(sim, tool)
    assert sim_stats(sim)["by_status"].get("429", 0) >= 1
    assert ctx.slept and all(s <= 2 for s in ctx.slept)


def check_faulted_sync(
    sim: RunningSimulator,
    engine: Engine,
    integration: IntegrationConfig,
    sync: Callable[[Engine, IntegrationConfig], DirectContext],
    tool: Tool,
) -> None:
    """Under injected 5xx, dropped connections and throttling the sync retries and still gets everything."""
    sync(engine, integration)
    faults = sim_stats(sim)["faults"]
    assert faults.get("error_500", 0) + faults.get("error_502", 0) > 0 and faults.get("drop", 0) > 0
    assert faults.get("secondary", 0) > 0
    assert stored_rows(engine, integration.id) == expected_rows(sim, tool)
