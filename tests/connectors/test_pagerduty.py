"""The PagerDuty connector against the simulator: paging, rate limits, faults, incremental, idempotent re-sync."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from pulse.etl.connectors.base.interface import IntegrationConfig
from pulse.etl.connectors.pagerduty.connector import PagerDutyConnector
from pulse.sim.gen_incident_tools import services as tool_services
from pulse.sim.server import RunningSimulator
from tests.connectors.conftest import make_integration, sim_config, sim_stats
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
OVERLAP = timedelta(minutes=10)


def sync(engine: Engine, integration: IntegrationConfig) -> DirectContext:
    ctx = DirectContext(engine, integration)
    PagerDutyConnector().sync(ctx)
    return ctx


def pagerduty(engine: Engine, tenant: int, sim: RunningSimulator, **settings: object) -> IntegrationConfig:
    return make_integration(engine, tenant, "pagerduty", sim.base_url + "/pagerduty", {**SETTINGS, **settings})


def test_incidents_page_through_offsets_and_match_the_source(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    integration = pagerduty(clean_engine, tenant, sim, page_size=4)
    ctx = sync(clean_engine, integration)
    expected = expected_rows(sim, "pagerduty")
    assert len(expected) > 8
    assert stored_rows(clean_engine, integration.id) == expected
    calls = sim_stats(sim)["by_route"]["GET /incidents"]
    assert calls == {"200": -(-len(expected) // 4)}
    services = ctx.get_checkpoint("services")
    assert services is not None and "Office IT" in services["services"].values()
    assert any("have no mapping" in message for _, message, _ in ctx.logs)


def test_rate_limit_429_is_waited_out_by_ratelimit_reset(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, incident_rate_limit={"limit": 3, "window_seconds": 1})
    integration = pagerduty(clean_engine, tenant, sim, page_size=5)
    check_rate_limited_sync(sim, clean_engine, integration, sync, "pagerduty")


def test_server_errors_and_dropped_connections_are_retried(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    sim_config(sim, fault_seed=5, error_rate=0.25, drop_connection_rate=0.15, secondary_limit_every=5)
    integration = pagerduty(clean_engine, tenant, sim, page_size=3)
    check_faulted_sync(sim, clean_engine, integration, sync, "pagerduty")


def test_incremental_sync_finds_new_incidents_and_resolutions_of_open_ones(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    advance_until_one_is_open(sim, "pagerduty")
    integration = pagerduty(clean_engine, tenant, sim)
    sync(clean_engine, integration)
    before = expected_rows(sim, "pagerduty")
    assert stored_rows(clean_engine, integration.id) == before
    advance(sim, 24 * 10)
    after = expected_rows(sim, "pagerduty")
    assert len(after) > len(before), "the advance should open new incidents"
    resolved_later = [k for k, v in before.items() if v[4] is None and after[k][4] is not None]
    assert resolved_later, "some incident open at the first sync resolves during the advance"
    ctx = sync(clean_engine, integration)
    assert stored_rows(clean_engine, integration.id) == after
    # The second run asked only for incidents created since the oldest one open at the first sync (or the
    # cursor minus the overlap), not the whole history.
    low = min(min(v[3] for v in before.values() if v[4] is None), max(v[3] for v in before.values()) - OVERLAP)
    in_window = sum(1 for v in after.values() if v[3] >= low)
    assert in_window < len(after)
    services = len(tool_services(sim.app.dataset, "pagerduty"))
    assert ctx.progress_reports[-1]["counts"]["fetched"] == in_window + services
    checkpoint = ctx.get_checkpoint("incidents")
    assert checkpoint is not None and checkpoint["cursor"] >= max(v[3] for v in after.values()).isoformat()[:19]


def test_resync_is_idempotent(sim: RunningSimulator, tenant: int, clean_engine: Engine) -> None:
    check_resync_is_idempotent(clean_engine, pagerduty(clean_engine, tenant, sim), PagerDutyConnector())


def test_connection_check_reports_services_and_bad_credentials(
    sim: RunningSimulator, tenant: int, clean_engine: Engine
) -> None:
    check_connection(PagerDutyConnector(), pagerduty(clean_engine, tenant, sim), {"token": "wrong"})
