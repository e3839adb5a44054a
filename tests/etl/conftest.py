"""ETL fixtures: a real Backend process, the ETL Service on loopback, worker processes, the fake connector."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.core.config import Settings
from pulse.core.db.engine import unit_of_work
from pulse.core.db.models import Integration, JobRun
from pulse.etl.connectors.base.interface import EXTRA_CONNECTORS_ENV
from pulse.etl.integrations import crypto
from pulse.etl.jobs import service as job_service
from pulse.etl.main import create_app
from tests.etl import fake_connector  # registers the "fake" type in this process
from tests.factories import DEFAULT_PASSWORD, make_client, make_user
from tests.servers import PulseProcess, ThreadServer, free_port, wait_for_health, wait_for_listener

API = "/api/v1"
FAST_JOBS = {
    "PULSE_JOB_HEARTBEAT_SECONDS": "0.5",
    "PULSE_JOB_STALE_SECONDS": "3",
    "PULSE_SCHEDULER_INTERVAL_SECONDS": "0.5",
    "PULSE_JOB_RETRY_BASE_SECONDS": "0.2",
    "PULSE_JOB_MAX_ATTEMPTS": "3",
}


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for `pulse` processes on the test database with the test secrets."""
    assert settings.jwt_secret_key is not None and settings.encryption_key is not None
    return {
        "DATABASE_URL": str(settings.database_url),
        "JWT_SECRET_KEY": settings.jwt_secret_key.get_secret_value(),
        "PULSE_ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "PULSE_DATA_DIR": str(settings.data_dir),
        "PULSE_LOG_FORMAT": "json",
        EXTRA_CONNECTORS_ENV: "tests.etl.fake_connector",
        **FAST_JOBS,
        **extra,
    }


@pytest.fixture(scope="session")
def backend_process(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseProcess]:
    """A real Backend Service process shared by the ETL tests (it keeps no state outside the database)."""
    settings = Settings(
        DATABASE_URL=database_url,
        PULSE_DATA_DIR=tmp_path_factory.mktemp("backend-data"),
        JWT_SECRET_KEY="test-" + "k" * 48,
        PULSE_ENCRYPTION_KEY="ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    )
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "backend.log"
    process = PulseProcess(["backend", "--port", str(port)], process_env(settings), log).start()
    process.base_url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        wait_for_health(process.base_url)  # type: ignore[attr-defined]
    except TimeoutError:
        raise RuntimeError(process.logs()) from None
    yield process
    process.stop()


@pytest.fixture
def etl_settings(settings: Settings, backend_process: PulseProcess) -> Settings:
    """Test settings pointing the ETL Service at the Backend process, with fast job timings."""
    return settings.model_copy(
        update={
            "backend_service_url": backend_process.base_url,  # type: ignore[attr-defined]
            "job_heartbeat_seconds": 0.5,
            "job_stale_seconds": 3.0,
            "job_retry_base_seconds": 0.2,
        }
    )


@pytest.fixture
def etl_server(clean_engine: Engine, etl_settings: Settings) -> Iterator[ThreadServer]:
    """The ETL Service on loopback, on clean tables."""
    server = ThreadServer(create_app(etl_settings)).start()
    wait_for_listener(server)
    yield server
    server.stop()


@dataclass
class Tenant:
    """A tenant with an admin, a user and a viewer."""

    client_id: int
    emails: dict[str, str]


@pytest.fixture
def tenant(clean_engine: Engine, settings: Settings) -> Tenant:
    """Tenant A with one user per role."""
    return make_tenant(clean_engine, settings, "acme")


def make_tenant(engine: Engine, settings: Settings, prefix: str) -> Tenant:
    """Create a tenant with one user per role."""
    client_id = make_client(engine, f"{prefix} corp")
    emails = {role: f"{role}@{prefix}.example.com" for role in ("admin", "user", "view")}
    for role, email in emails.items():
        make_user(engine, settings, client_id=client_id, role=role, email=email)
    return Tenant(client_id=client_id, emails=emails)


def login(backend_url: str, email: str) -> str:
    """A fresh token from the Backend process."""
    response = httpx.post(f"{backend_url}{API}/auth/login", json={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture
def tokens(tenant: Tenant, backend_process: PulseProcess) -> dict[str, str]:
    """A token per role of tenant A."""
    return {role: login(backend_process.base_url, email) for role, email in tenant.emails.items()}  # type: ignore[attr-defined]


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def fake_tables(clean_engine: Engine) -> Iterator[Engine]:
    """The fake connector's tables, created for the test and dropped after it (they are not Pulse's schema)."""
    with clean_engine.begin() as conn:
        conn.execute(text(fake_connector.TABLES_DDL))
        conn.execute(text("TRUNCATE fake_items, fake_batches"))
    yield clean_engine
    with clean_engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS fake_items, fake_batches"))


def make_integration(
    engine: Engine, settings: Settings, client_id: int, *, type_: str = "fake", **fake_settings: Any
) -> int:
    """A fake integration straight in the database (the API path is tested separately)."""
    with unit_of_work(engine) as db_session:
        integration = Integration(
            client_id=client_id,
            type=type_,
            name=f"{type_} source",
            base_url="http://127.0.0.1:9",
            credentials_encrypted=crypto.encrypt_credentials(settings, {"token": "good-token"}),
            settings=fake_settings,
        )
        db_session.add(integration)
        db_session.flush()
        return integration.id


def start_run(engine: Engine, settings: Settings, integration_id: int) -> int:
    """Queue a sync through the jobs service (as the API and `pulse sync` do)."""
    with unit_of_work(engine) as db_session:
        integration = db_session.get(Integration, integration_id)
        assert integration is not None
        return job_service.start(db_session=db_session, settings=settings, integration=integration).id


def run_status(engine: Engine, job_run_id: int) -> JobRun:
    """The run row, fresh."""
    with unit_of_work(engine) as db_session:
        run = db_session.get(JobRun, job_run_id)
        assert run is not None
        db_session.expunge(run)
        return run


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, what: str = "") -> Any:
    """Poll until the predicate is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(interval)


def wait_status(engine: Engine, job_run_id: int, *statuses: str, timeout: float = 30.0) -> JobRun:
    """Wait until the run reaches one of the statuses."""
    return wait_until(
        lambda: run if (run := run_status(engine, job_run_id)).status in statuses else None,
        timeout=timeout,
        what=f"job {job_run_id} to reach {statuses}",
    )


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., PulseProcess]]:
    """Start `pulse worker` processes; all are stopped (or killed) after the test."""
    started: list[PulseProcess] = []

    def start(*args: str, **env: str) -> PulseProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        process = PulseProcess(["worker", *args], process_env(settings, **env), log).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop(timeout=10)


def fake_rows(engine: Engine, integration_id: int) -> list[int]:
    """The item numbers the fake connector wrote for an integration, sorted (duplicates kept)."""
    with engine.connect() as conn:
        return sorted(
            conn.execute(text("SELECT n FROM fake_items WHERE integration_id = :i"), {"i": integration_id}).scalars()
        )
