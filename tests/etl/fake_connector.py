"""A test-only connector (type "fake") that drives the job machinery; loaded via PULSE_EXTRA_CONNECTORS.

It "syncs" `settings.items` numbered rows into the test table `fake_items`, `settings.batch` per commit,
waiting `settings.delay` seconds before each batch; each batch's checkpoint is the next number to write.
With `settings.fail_times` = k its first k attempts fail with a transient error after their first batch.
Every batch also records the worker's pid and its start/end time, so tests can prove runs never overlap.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.etl.connectors.base.interface import IntegrationConfig, SyncContext, register_connector

TABLES_DDL = """
CREATE TABLE IF NOT EXISTS fake_items (
    integration_id bigint NOT NULL,
    n integer NOT NULL,
    job_run_id bigint NOT NULL,
    pid integer NOT NULL
);
CREATE TABLE IF NOT EXISTS fake_batches (
    integration_id bigint NOT NULL,
    job_run_id bigint NOT NULL,
    pid integer NOT NULL,
    started double precision NOT NULL,
    ended double precision NOT NULL
);
"""


class FakeConnector:
    """Writes numbered rows in batches, with checkpoints, delays and scripted transient failures."""

    type: ClassVar[str] = "fake"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        if integration.credentials.get("token") == "good-token":
            return True, "Connected as fake-user"
        return False, "Bad credentials"

    def sync(self, ctx: SyncContext) -> None:
        settings = ctx.integration.settings
        total = int(settings.get("items", 10))
        batch = int(settings.get("batch", 1))
        delay = float(settings.get("delay", 0.0))
        fail_times = int(settings.get("fail_times", 0))
        failures = (ctx.get_checkpoint("failures") or {}).get("count", 0)
        position = int((ctx.get_checkpoint("items") or {}).get("next", 0))
        ctx.log("info", f"starting at item {position}", position=position)
        while position < total:
            ctx.check_interrupted()
            started = time.time()
            ctx.sleep(delay)
            end = min(position + batch, total)
            rows = [
                {"i": ctx.integration.id, "n": n, "r": ctx.job_run_id, "p": os.getpid()} for n in range(position, end)
            ]

            def write(session: Session, rows: list[dict[str, Any]] = rows, started: float = started) -> None:
                session.execute(text("INSERT INTO fake_items VALUES (:i, :n, :r, :p)"), rows)
                session.execute(
                    text("INSERT INTO fake_batches VALUES (:i, :r, :p, :s, :e)"),
                    {"i": ctx.integration.id, "r": ctx.job_run_id, "p": os.getpid(), "s": started, "e": time.time()},
                )

            position = end
            ctx.progress(step="items", percent=100.0 * position / total, counts={"items": position})
            ctx.commit("items", {"next": position}, write)
            if failures < fail_times:
                failures += 1
                ctx.commit("failures", {"count": failures}, lambda _session: None)
                raise RuntimeError(f"transient failure {failures} of {fail_times}")
        ctx.log("info", "done", items=total)


register_connector("fake", FakeConnector)
