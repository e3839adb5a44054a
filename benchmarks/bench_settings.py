"""Settings write figure: how long a settings write takes to answer over HTTP on a large tenant (issue 12).

A write commits and queues the rebuild of the tenant's metric facts as a job, so its answer time must not grow
with the tenant. The tenant is `bench_metrics.py`'s synthetic one (same builder, loaded with COPY; `--full` is
500,000 PRs, 100,000 deployments, 1,000,000 transitions), its facts built once. Everything runs for real on
loopback: PostgreSQL (embedded unless DATABASE_URL names a server), a Backend Service process, the ETL
Service (uvicorn in a thread), and for the second series a `pulse worker` rebuilding the facts meanwhile.
Each sample is one `PATCH /api/v1/settings/status-mappings/{id}` (a rename, alternating), answered 200.
Usage:

    .venv/bin/python benchmarks/bench_settings.py [--full] [--scale 0.3] [--runs 40]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from benchmarks.bench_etl import login, serve  # noqa: E402
from benchmarks.bench_metrics import load, measure  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.etl.conftest import process_env  # noqa: E402
from tests.factories import make_user  # noqa: E402
from tests.pg import TestServer  # noqa: E402
from tests.servers import PulseProcess, free_port, wait_for_health  # noqa: E402

from pulse.analytics.refresh import refresh_tenant  # noqa: E402
from pulse.core.config import Settings  # noqa: E402
from pulse.core.db.embedded import stop_embedded  # noqa: E402
from pulse.core.db.engine import make_engine, session_factory, unit_of_work  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402
from pulse.core.logging import configure_logging  # noqa: E402
from pulse.etl.main import create_app  # noqa: E402

TARGET_MS = 200.0
API = "/api/v1"


def _rebuild_running(url: str, client_id: int) -> bool:
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as db_session:
            return bool(
                db_session.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :l AND status = 'doing')"
                    ),
                    {"l": f"pulse.facts.{client_id}"},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def print_figures(figures: dict[str, tuple[float, float]]) -> None:
    """The settings-write figures against the target, one line each."""
    print(f"{'settings write (PATCH, HTTP)':40} {'p50 ms':>9} {'p95 ms':>9}  target")
    for name, (p50, p95) in figures.items():
        verdict = "ok" if p95 <= TARGET_MS else "OVER"
        print(f"{name:40} {p50:9.1f} {p95:9.1f}  {verdict} (≤ {TARGET_MS:.0f})", flush=True)


def measure_settings_write(
    url: str, client_id: int, scratch: Path, *, runs: int = 40, during_rebuild: bool = True
) -> dict[str, tuple[float, float]]:
    """p50/p95 (ms) of a settings write's HTTP answer for the tenant: idle, and while a worker rebuilds its facts.

    `url` is a migrated database holding the tenant; `scratch` a directory for the services' data and logs.
    """
    settings = Settings(
        DATABASE_URL=url,
        PULSE_DATA_DIR=scratch / "settings-bench-data",
        JWT_SECRET_KEY="bench-" + "k" * 48,
        PULSE_ENCRYPTION_KEY="ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    )
    engine = make_engine(url)
    email = f"settings-bench-{client_id}@bench.example.com"
    make_user(engine, settings, client_id=client_id, role="admin", email=email)
    engine.dispose()
    env = process_env(settings)
    port = free_port()
    backend = PulseProcess(["backend", "--port", str(port)], env, scratch / "settings-backend.log").start()
    worker: PulseProcess | None = None
    backend_url = f"http://127.0.0.1:{port}"
    figures: dict[str, tuple[float, float]] = {}
    etl = None
    try:
        wait_for_health(backend_url)
        etl = serve(create_app(settings.model_copy(update={"backend_service_url": backend_url})))
        token = login(backend_url, email)
        with httpx.Client(
            base_url=etl.base_url + API, headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as client:
            mapping = client.get("/settings/status-mappings").json()["items"][0]
            names = [mapping["status_name"], mapping["status_name"] + " (renamed)"]
            flips = iter(range(10**9))

            def write() -> None:
                name = names[(next(flips) + 1) % 2]
                answer = client.patch(f"/settings/status-mappings/{mapping['id']}", json={"status_name": name})
                assert answer.status_code == 200, answer.text

            figures["idle"] = measure(write, runs)
            if during_rebuild:
                worker = PulseProcess(["worker"], env, scratch / "settings-worker.log").start()
                deadline = time.monotonic() + 120
                while not _rebuild_running(url, client_id):
                    if time.monotonic() > deadline:
                        raise RuntimeError("no rebuild started:\n" + worker.logs()[-2000:])
                    time.sleep(0.1)
                figures["during a rebuild"] = measure(write, runs)
    finally:
        if etl is not None:
            etl.stop()
        if worker is not None:
            worker.stop(timeout=120)
        backend.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the issue's full size (500k PRs, 100k deployments...)")
    parser.add_argument("--scale", type=float, default=None, help="explicit size factor (1.0 = --full)")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else (1.0 if args.full else 0.1)
    configure_logging("WARNING", "json")

    scratch = Path(tempfile.mkdtemp(prefix="bench-settings-"))
    server = TestServer.start(scratch / "pg")
    url = server.create_database("bench_settings")
    try:
        MigrationRunner(url).apply()
        info = load(url, scale)
        print(f"loaded {info['sizes']} in {info['load_seconds']:.1f}s (scale {scale})", flush=True)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            started = time.perf_counter()
            refresh_tenant(db_session=session, client_id=info["client_id"])
            session.commit()
        engine.dispose()
        print(f"facts rebuild (what a write used to wait for): {time.perf_counter() - started:.1f} s", flush=True)
        print_figures(measure_settings_write(url, info["client_id"], scratch, runs=args.runs))
    finally:
        server.drop_database(url)
        if server.server_handle is not None:
            stop_embedded(scratch / "pg")
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
