"""`pulse metrics refresh` rebuilds a tenant's metric facts from the command line (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import text

from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed, at


def pulse(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "PULSE_LOG_FORMAT": "json"}
    return subprocess.run(
        [sys.executable, "-m", "pulse.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_metrics_refresh_rebuilds_the_facts(seed: Seed, database_url: str) -> None:
    build_main(seed)
    result = pulse("metrics", "refresh", "--client", str(seed.client_id), "--json", url=database_url)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    # D0, D1, D2, D3 and E1 are production successes; PR0-PR5 shipped; five incidents.
    assert (counts["deployments"], counts["changes"], counts["incidents"]) == (5, 6, 5)
    with seed.engine.connect() as conn:
        built = conn.execute(
            text("SELECT count(*) FROM metric_deployments WHERE client_id = :c"), {"c": seed.client_id}
        ).scalar_one()
    assert built == 5
    missing = pulse("metrics", "refresh", "--client", "999999", url=database_url)
    assert missing.returncode == 4
    assert "999999" in missing.stderr


def test_metrics_refresh_does_what_is_pending_or_everything_with_full(seed: Seed, database_url: str) -> None:
    ids = build_main(seed)
    assert pulse("metrics", "refresh", "--client", str(seed.client_id), url=database_url).returncode == 0
    seed.deployment(ids["b"], at(3, 20, 12))
    pending = pulse("metrics", "refresh", "--client", str(seed.client_id), "--json", url=database_url)
    assert pending.returncode == 0, pending.stderr
    counts = json.loads(pending.stdout)
    # Only repository B from its new deployment on: that deployment, nothing shipped, no incident after it.
    assert (counts["full"], counts["repositories"], counts["deployments"], counts["changes"]) == (False, 1, 1, 0)
    full = pulse("metrics", "refresh", "--client", str(seed.client_id), "--full", "--json", url=database_url)
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout) | {"seconds": 0} == {"client_id": seed.client_id, "full": True, "deployments": 6,
                                                        "changes": 6, "incidents": 5, "pull_requests": 6,
                                                        "work_items": 2, "seconds": 0}  # fmt: skip
