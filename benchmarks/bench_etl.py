"""ETL Service figures: auth overhead (warm cache vs. none), sync → RUNNING latency, revocation delay.

Runs everything for real on loopback: a PostgreSQL (embedded unless DATABASE_URL names a server), a Backend
Service process, the ETL Service (uvicorn in a thread) and one `pulse worker` process with the test-only
fake connector. Usage:

    .venv/bin/python benchmarks/bench_etl.py [--requests 500] [--syncs 10] [--revocations 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from benchmarks.figures import ms, percentile  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from tests.etl.conftest import make_integration, process_env, run_status  # noqa: E402
from tests.factories import DEFAULT_PASSWORD, make_client, make_user  # noqa: E402
from tests.pg import TestServer  # noqa: E402
from tests.servers import PulseProcess, ThreadServer, free_port, wait_for_health  # noqa: E402

from pulse.core.config import Settings  # noqa: E402
from pulse.core.db.engine import make_engine  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402
from pulse.core.logging import configure_logging  # noqa: E402
from pulse.etl.deps import require  # noqa: E402
from pulse.etl.main import create_app  # noqa: E402

API = "/api/v1"


def bench_app(settings: Settings) -> FastAPI:
    """The ETL app plus an authenticated no-op route: the cost measured is the auth dependency alone."""
    app = create_app(settings)

    @app.get(API + "/bench/noop", dependencies=[require("integrations", "read")])
    def noop() -> dict[str, bool]:
        return {"ok": True}

    return app


def serve(app: FastAPI) -> ThreadServer:
    server = ThreadServer(app).start()
    deadline = time.monotonic() + 10
    while not app.state.listener.connected.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    return server


def login(backend_url: str, email: str) -> str:
    response = httpx.post(f"{backend_url}{API}/auth/login", json={"email": email, "password": DEFAULT_PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


def timed_gets(client: httpx.Client, url: str, token: str | None, count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per auth-overhead series")
    parser.add_argument("--syncs", type=int, default=10, help="sync → RUNNING trials")
    parser.add_argument("--revocations", type=int, default=100, help="logout → 401 trials")
    args = parser.parse_args()
    configure_logging("WARNING", "json")

    scratch = Path(tempfile.mkdtemp(prefix="pulse-bench-etl-"))
    pg = TestServer.start(scratch / "pg")
    url = pg.create_database("pulse_bench")
    MigrationRunner(url).apply()
    settings = Settings(
        DATABASE_URL=url,
        PULSE_DATA_DIR=scratch / "data",
        JWT_SECRET_KEY="bench-" + "k" * 48,
        PULSE_ENCRYPTION_KEY="ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    )
    engine = make_engine(url)
    client_id = make_client(engine, "Bench Corp")
    email = "admin@bench.example.com"
    make_user(engine, settings, client_id=client_id, role="admin", email=email)

    port = free_port()
    env = process_env(settings)
    backend = PulseProcess(["backend", "--port", str(port)], env, scratch / "backend.log").start()
    worker = PulseProcess(["worker"], env, scratch / "worker.log").start()
    backend_url = f"http://127.0.0.1:{port}"
    servers: list[ThreadServer] = []
    try:
        wait_for_health(backend_url)
        warm = serve(bench_app(settings.model_copy(update={"backend_service_url": backend_url})))
        cold = serve(
            bench_app(settings.model_copy(update={"backend_service_url": backend_url, "auth_cache_ttl_seconds": 0.0}))
        )
        servers += [warm, cold]
        token = login(backend_url, email)

        print(f"ETL authentication overhead ({args.requests} sequential requests each, keep-alive client)")
        with httpx.Client(timeout=30) as client:
            for name, server, path, auth in (
                ("no auth (/health)", warm, "/health", None),
                ("warm cache", warm, API + "/bench/noop", token),
                ("cache disabled (Backend per request)", cold, API + "/bench/noop", token),
            ):
                timed_gets(client, server.base_url + path, auth, 20)  # warm-up
                samples = timed_gets(client, server.base_url + path, auth, args.requests)
                print(f"  {name:<40} p50 {ms(percentile(samples, 50))}   p99 {ms(percentile(samples, 99))}")

        print(f"\nPOST /integrations/{{id}}/sync → RUNNING ({args.syncs} trials, one idle worker)")
        integration_id = make_integration(engine, settings, client_id, items=1, batch=1)
        delays = []
        with httpx.Client(base_url=warm.base_url + API, headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(args.syncs):
                started = time.perf_counter()
                response = client.post(f"/integrations/{integration_id}/sync")
                assert response.status_code == 202, response.text
                job_run_id = response.json()["job_run_id"]
                while (status := run_status(engine, job_run_id).status) == "PENDING":
                    time.sleep(0.002)
                delays.append(time.perf_counter() - started)
                while status not in ("FINISHED", "FAILED", "CANCELLED"):
                    time.sleep(0.01)
                    status = run_status(engine, job_run_id).status
        print(f"  median {ms(statistics.median(delays))}   max {ms(max(delays))}")

        print(f"\nRevocation delay: Backend logout → first ETL 401 ({args.revocations} trials, warm cache)")
        revocations = []
        with httpx.Client(timeout=30) as client:
            noop = warm.base_url + API + "/bench/noop"
            for _ in range(args.revocations):
                trial_token = login(backend_url, email)
                timed_gets(client, noop, trial_token, 2)  # cached now
                client.post(f"{backend_url}{API}/auth/logout", headers={"Authorization": f"Bearer {trial_token}"})
                logged_out = time.perf_counter()
                while client.get(noop, headers={"Authorization": f"Bearer {trial_token}"}).status_code != 401:
                    pass
                revocations.append(time.perf_counter() - logged_out)
        print(f"  median {ms(statistics.median(revocations))}   max {ms(max(revocations))}")
    finally:
        for server in servers:
            server.stop()
        worker.stop()
        backend.stop()
        engine.dispose()
        pg.drop_database(url)


if __name__ == "__main__":
    main()
