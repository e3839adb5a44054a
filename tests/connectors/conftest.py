"""Connector fixtures: the simulator on loopback, tenants and integrations pointing at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.etl.connectors.base.interface import IntegrationConfig
from pulse.sim.config import (
    DEFAULT_GITHUB_TOKEN,
    DEFAULT_JIRA_EMAIL,
    DEFAULT_JIRA_TOKEN,
    DEFAULT_OPSGENIE_KEY,
    DEFAULT_PAGERDUTY_TOKEN,
    SimConfig,
)
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import RunningSimulator, start_simulator
from tests.factories import make_client

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
CREDENTIALS = {
    "github": {"token": DEFAULT_GITHUB_TOKEN},
    "pagerduty": {"token": DEFAULT_PAGERDUTY_TOKEN},
    "opsgenie": {"api_key": DEFAULT_OPSGENIE_KEY},
}
SMALL = DatasetSpec(anchor=ANCHOR, repos=2, teams=2, prs_per_repo=25, work_items_per_project=60, history_days=120)


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    """A fresh simulator over a small deterministic organisation."""
    running = start_simulator(SimConfig(dataset=SMALL))
    yield running
    running.stop()


def sim_config(sim: RunningSimulator, **knobs: Any) -> None:
    """Change the simulator's fault knobs at run time."""
    httpx.post(sim.base_url + "/_sim/config", json=knobs, timeout=10).raise_for_status()


def sim_stats(sim: RunningSimulator, reset: bool = False) -> dict[str, Any]:
    """Request counters; optionally reset them afterwards."""
    stats: dict[str, Any] = httpx.get(sim.base_url + "/_sim/stats", timeout=10).json()
    if reset:
        httpx.post(sim.base_url + "/_sim/reset-stats", timeout=10).raise_for_status()
    return stats


def make_integration(
    engine: Engine, client_id: int, type_: str, base_url: str, settings: dict[str, Any]
) -> IntegrationConfig:
    """An integration row (credentials kept in memory: the connector gets them decrypted anyway)."""
    with engine.begin() as conn:
        ident = conn.execute(
            text(
                "INSERT INTO integrations (client_id, type, name, base_url, settings) "
                "VALUES (:c, :t, :n, :b, CAST(:s AS jsonb)) RETURNING id"
            ),
            {"c": client_id, "t": type_, "n": type_.title(), "b": base_url, "s": json.dumps(settings)},
        ).scalar_one()
    creds = CREDENTIALS.get(type_, {"email": DEFAULT_JIRA_EMAIL, "api_token": DEFAULT_JIRA_TOKEN})
    return IntegrationConfig(
        id=ident,
        client_id=client_id,
        type=type_,
        name=type_.title(),
        base_url=base_url,
        credentials=creds,
        settings=settings,
    )


@pytest.fixture
def tenant(clean_engine: Engine) -> int:
    """A fresh tenant."""
    return make_client(clean_engine)


def github_settings(**extra: Any) -> dict[str, Any]:
    """Settings of a REST GitHub integration on the simulator's organisation, with PR sizes fetched (off by default)."""
    return {"organization": SMALL.org, "retry_backoff_seconds": 0.01, "pull_request_details": True, "api": "rest",
            **extra}  # fmt: skip


def graphql_settings(**extra: Any) -> dict[str, Any]:
    """Settings of a GraphQL GitHub integration (the default `api`) on the simulator's organisation."""
    return {"organization": SMALL.org, "retry_backoff_seconds": 0.01, **extra}


def jira_settings(**extra: Any) -> dict[str, Any]:
    """Settings of a Jira integration on the simulator."""
    return {"retry_backoff_seconds": 0.01, **extra}
