"""Procrastinate's schema is installed by its own tooling and recorded, so later upgrades know where to start."""

from __future__ import annotations

from importlib.metadata import version

import psycopg

from pulse.core.db.migrations import MigrationRunner
from pulse.etl.jobs.queue import _version_key, upgrade_procrastinate_schema


def test_installed_version_is_recorded_and_an_upgrade_step_on_it_is_a_no_op(fresh_database_url: str) -> None:
    MigrationRunner(fresh_database_url).apply()
    with psycopg.connect(fresh_database_url, autocommit=True) as conn:
        comment = conn.execute("SELECT obj_description('procrastinate_jobs'::regclass, 'pg_class')").fetchone()
        assert comment == (f"procrastinate {version('procrastinate')}",)
        with conn.transaction():
            assert upgrade_procrastinate_schema(conn) == []
        assert conn.execute("SELECT count(*) FROM procrastinate_jobs").fetchone() == (0,)


def test_bundled_migration_names_order_by_version() -> None:
    assert _version_key("03.04.00") == (3, 4, 0) < _version_key("3.10.0") == (3, 10, 0)
    assert _version_key("02.00.00") < _version_key("03.00.00")
