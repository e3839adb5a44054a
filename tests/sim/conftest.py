"""Fixtures: a small simulated organisation served by a real uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pulse.sim.config import SimConfig
from pulse.sim.dataset import Dataset, DatasetSpec
from pulse.sim.server import RunningSimulator, start_simulator

ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
SMALL = DatasetSpec(seed=11, anchor=ANCHOR, prs_per_repo=60, work_items_per_project=120)


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    """A fresh simulator per test, so knobs and counters never leak between tests."""
    with start_simulator(SimConfig(dataset=SMALL)) as running:
        yield running


@pytest.fixture
def ds(sim: RunningSimulator) -> Dataset:
    """The served dataset: ground truth."""
    return sim.app.dataset


@pytest.fixture
def github(sim: RunningSimulator) -> Iterator[httpx.Client]:
    """A GitHub client with the default token."""
    with httpx.Client(base_url=sim.base_url, headers={"Authorization": "Bearer sim-github-token"}) as client:
        yield client


@pytest.fixture
def jira(sim: RunningSimulator) -> Iterator[httpx.Client]:
    """A Jira client with the default basic credentials."""
    with httpx.Client(base_url=sim.base_url, auth=("sim@example.com", "sim-jira-token")) as client:
        yield client


def configure(sim: RunningSimulator, **knobs: Any) -> dict[str, Any]:
    """Change simulator knobs through its control API."""
    response = httpx.post(f"{sim.base_url}/_sim/config", json=knobs)
    assert response.status_code == 200, response.text
    return response.json()


def follow_links(client: httpx.Client, url: str, params: dict[str, Any] | None = None) -> list[httpx.Response]:
    """Every page of a GitHub list, following `Link: rel="next"`."""
    pages = [client.get(url, params=params)]
    while "next" in pages[-1].links:
        pages.append(client.get(pages[-1].links["next"]["url"]))
        assert len(pages) < 500
    return pages
