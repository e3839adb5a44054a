"""Fixtures for the metrics tests: a tenant with a row builder."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.analytics.seed import Seed
from tests.factories import make_client


@pytest.fixture
def seed(clean_engine: Engine) -> Seed:
    """A fresh tenant on clean tables and a builder for its rows."""
    return Seed(clean_engine, make_client(clean_engine))


@pytest.fixture
def other_seed(seed: Seed) -> Seed:
    """A second tenant on the same database."""
    return Seed(seed.engine, make_client(seed.engine))


# The ETL suite's fixtures: a real Backend process and the ETL Service on loopback.
from tests.etl.conftest import (  # noqa: E402, F401
    backend_process,
    etl_server,
    etl_settings,
    tenant,
    tokens,
)
