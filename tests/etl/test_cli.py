"""`pulse sync ID --wait` follows the run with a progress bar and exits non-zero when it fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import Engine

from pulse.core.config import Settings
from tests.etl.conftest import bearer, fake_rows, make_integration, process_env
from tests.etl.test_jobs import Workers
from tests.factories import make_client
from tests.servers import PulseProcess, free_port, wait_for_health


def pulse(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "pulse.cli", *args],
        env={**os.environ, **process_env(settings, **env)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_wait_exits_zero_when_the_run_finishes(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    integration_id = make_integration(fake_tables, settings, make_client(fake_tables), items=8, batch=2, delay=0.1)
    workers()
    result = pulse(settings, "sync", str(integration_id), "--wait")
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stderr and "done" in result.stderr  # the run's log lines are shown
    assert fake_rows(fake_tables, integration_id) == list(range(8))
    assert "good-token" not in result.stdout + result.stderr


def test_sync_wait_exits_non_zero_when_the_run_fails(fake_tables: Engine, settings: Settings, workers: Workers) -> None:
    integration_id = make_integration(fake_tables, settings, make_client(fake_tables), items=8, batch=2, fail_times=9)
    workers()
    result = pulse(settings, "sync", str(integration_id), "--wait", PULSE_JOB_MAX_ATTEMPTS="1")
    assert result.returncode == 2, result.stderr
    assert "ended FAILED" in result.stderr


def test_sync_of_an_unknown_integration_fails_cleanly(fake_tables: Engine, settings: Settings) -> None:
    result = pulse(settings, "sync", "999999")
    assert result.returncode == 4
    assert "integration 999999 not found" in result.stderr


def test_pulse_etl_serves_the_service(
    settings: Settings, tokens: dict[str, str], backend_process: PulseProcess, tmp_path: Path
) -> None:
    port = free_port()
    env = process_env(settings, BACKEND_SERVICE_URL=backend_process.base_url)  # type: ignore[attr-defined]
    service = PulseProcess(["etl", "--port", str(port)], env, tmp_path / "etl.log").start()
    try:
        wait_for_health(f"http://127.0.0.1:{port}")
        response = httpx.get(f"http://127.0.0.1:{port}/api/v1/integrations", headers=bearer(tokens["admin"]))
        assert response.status_code == 200, service.logs()
        assert httpx.get(f"http://127.0.0.1:{port}/ready").status_code == 200
    finally:
        # uvicorn shuts down gracefully, then re-raises SIGTERM (hence -15 rather than 0).
        assert service.stop() in (0, -15)
        assert "Application shutdown complete" in service.logs()
