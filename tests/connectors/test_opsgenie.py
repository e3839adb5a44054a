"""The Opsgenie connector against the simulator: paging.next, rate limits, faults, incremental, idempotent re-sync."""

from __future__ import annotations

from sqlalchemy import Engine

from pulse.etl.connectors.base.interface import IntegrationConfig
from pulse.etl.connectors.opsgenie.connector import OpsgenieConnector
from pulse.sim.config import SimConfig
from pulse.sim.gen_incident_tools import services as tool_services
from pulse.sim.server import RunningSimulator, start_simulator
from tests.connectors.conftest import SMALL, make_integration, sim_config, sim_stats
from tests.connectors.context import DirectContext
from tests.connectors.incident_tools import (
    advance,
    advance_until_one_is_open,
    check_connection,
    check_faulted_sync,
    check_rate_limited_sync,
    check_resync_is_idempotent,
    expected_rows,
    stored_rows,
)

SETTINGS = {"retry_backoff_seconds": 0.01}


def sync(engine: Engine, integration: IntegrationConfig) -> DirectContext:
    ctx = DirectContext(engine, integration)
    OpsgenieConnector().sync(ctx)
    return ctx


def opsgenie(engine: Engine, tenant: int, sim: RunningSimulator, **settings: object) -> IntegrationConfig:
    return make_integration(engine, tenant, "opsgenie", sim.base_url + "/opsgenie", {**SETTINGS, **settings})


def test_incidents_follow_paging_next_and_carry_service_names(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = opsgenie(clean_engine, tenant, sim, page_size=3)
    sync(clean_engine, integration)
    expected = expected_rows(sim, "opsgenie")
    assert len(expected) > 6
    assert stored_rows(clean_engine, integration.id) == expected
    calls = sim_stats(sim)["by_route"]["GET /v1/incidents"]
    assert calls == {"200": -(-len(expected) // 3)}


def test_rate_limit_429_is_waited_out_by_the_period_header(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, incident_rate_limit={"limit": 2, "window_seconds": 1})
    integration = opsgenie(clean_engine, tenant, sim, page_size=4)
    check_rate_limited_sync(sim, clean_engine, integration, sync, "opsgenie")


def test_server_errors_and_dropped_connections_are_retried(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, fault_seed=5, error_rate=0.25, drop_connection_rate=0.1, secondary_limit_every=4)
    integration = opsgenie(clean_engine, tenant, sim, page_size=3)
    check_faulted_sync(sim, clean_engine, integration, sync, "opsgenie")


def test_incremental_sync_lists_only_incidents_updated_since_the_cursor(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    advance_until_one_is_open(sim, "opsgenie")
    integration = opsgenie(clean_engine, tenant, sim)
    sync(clean_engine, integration)
    before = expected_rows(sim, "opsgenie")
    assert stored_rows(clean_engine, integration.id) == before
    advance(sim, 24 * 10)
    after = expected_rows(sim, "opsgenie")
    assert any(v[4] is None and after[k][4] is not None for k, v in before.items())
    ctx = sync(clean_engine, integration)
    assert stored_rows(clean_engine, integration.id) == after
    changed = sum(1 for k, v in after.items() if before.get(k) != v)
    fetched = ctx.progress_reports[-1]["counts"]["fetched"] - len(tool_services(sim.app.dataset, "opsgenie"))
    # Changed ones, plus at most the few updated inside the overlap window before the cursor.
    assert changed <= fetched <= changed + 2
    assert fetched < len(after)


def test_resync_is_idempotent(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    check_resync_is_idempotent(clean_engine, opsgenie(clean_engine, tenant, sim), OpsgenieConnector())


def test_connection_check_reports_services_and_bad_credentials(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    check_connection(OpsgenieConnector(), opsgenie(clean_engine, tenant, sim), {"api_key": "wrong"})


def test_a_key_without_configuration_access_still_syncs_incidents(clean_engine: Engine, tenant: int) -> None:
    config = SimConfig(dataset=SMALL, opsgenie_keys={"ro-key": "read-only"})
    with start_simulator(config) as sim:
        integration = opsgenie(clean_engine, tenant, sim)
        integration = IntegrationConfig(**{**integration.__dict__, "credentials": {"api_key": "ro-key"}})
        ctx = sync(clean_engine, integration)
        expected = {k: (*v[:2], None, *v[3:]) for k, v in expected_rows(sim, "opsgenie").items()}
    assert stored_rows(clean_engine, integration.id) == expected
    assert any(level == "warning" and "services not readable (403)" in m for level, m, _ in ctx.logs)
