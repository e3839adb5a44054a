"""`pulse up` (everything on one machine) and `pulse web` (the web app server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx
import typer
import uvicorn
from rich.table import Table

from pulse.cli.context import console, fail, handled, out
from pulse.core.config import Settings, get_settings
from pulse.core.db.engine import libpq_url
from pulse.core.db.migrations import MigrationRunner


@dataclass
class Child:
    """One supervised `pulse` process."""

    name: str
    args: list[str]
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str], log_dir: Path | None) -> None:
        """Start the process; its output goes to `log_dir/<name>.log`, or to this terminal when None."""
        output = None
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = (log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulse.cli", *self.args], env=env, stdout=output, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _wait_healthy(children: list[Child], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    for child in children:
        if child.health_url is None:
            continue
        while True:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited during start-up; see its log lines above")
            try:
                if httpx.get(child.health_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{child.name} did not become healthy at {child.health_url}")
            time.sleep(0.2)


class Supervisor:
    """Starts the children, stops them all when one dies or on SIGINT/SIGTERM."""

    def __init__(self, children: list[Child], env: dict[str, str], log_dir: Path | None):
        self.children = children
        self.env = env
        self.log_dir = log_dir
        self.stopping = False

    def _show_log_tail(self, child: Child, lines: int = 30) -> None:
        if self.log_dir is None:
            return
        path = self.log_dir / f"{child.name}.log"
        tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        console.print(f"[dim]last lines of {path}:[/]\n" + "\n".join(tail), highlight=False, markup=False)

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        self.stopping = True

    def run(self, after_start: Callable[[], None]) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            for child in self.children:
                child.start(self.env, self.log_dir)
            try:
                _wait_healthy(self.children)
            except RuntimeError as exc:
                console.print(f"[red]{exc}[/]")
                for child in self.children:
                    if not child.alive():
                        self._show_log_tail(child)
                return 1
            after_start()
            while not self.stopping:
                dead = [c for c in self.children if not c.alive()]
                if dead:
                    console.print(f"[red]{dead[0].name} stopped unexpectedly; shutting Pulse down[/]")
                    self._show_log_tail(dead[0])
                    return 1
                time.sleep(0.5)
            return 0
        finally:
            console.print("stopping Pulse…")
            # Workers first so running steps checkpoint while the database is still up.
            for child in sorted(self.children, key=lambda c: c.name != "worker"):
                child.stop(timeout=30)


@handled
def up(
    demo: bool = typer.Option(False, "--demo", help="Add a demo tenant, simulated GitHub and Jira, and sync them."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface every service listens on."),
    backend_port: int = typer.Option(3001, "--backend-port"),
    etl_port: int = typer.Option(8000, "--etl-port"),
    web_port: int = typer.Option(5173, "--web-port"),
    sim_port: int = typer.Option(8900, "--sim-port", help="Simulator port (with --demo)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Stream every service's log here."),
) -> None:
    """Run everything on this machine: database, migrations, both services, workers and the web app."""
    if demo:
        os.environ["PULSE_DEMO"] = "true"
    settings = Settings()
    settings.check_secrets()
    console.print("starting the database…" if not settings.database_url else "connecting to DATABASE_URL…")
    url = libpq_url(settings)  # this process holds the embedded server for as long as Pulse runs
    MigrationRunner(url, progress=lambda m: console.print(f"  {m}")).apply()

    base = f"http://{host}"
    backend_url, etl_url, web_url = f"{base}:{backend_port}", f"{base}:{etl_port}", f"{base}:{web_port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BACKEND_SERVICE_URL": backend_url,
        "PULSE_DATA_DIR": str(settings.data_dir),
        "PULSE_PUBLIC_BACKEND_URL": backend_url,
        "PULSE_PUBLIC_ETL_URL": etl_url,
    }
    origins = {web_url, f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"}
    env.setdefault("PULSE_CORS_ORIGINS", json.dumps(sorted(origins)))
    children = [
        Child("backend", ["backend", "--host", host, "--port", str(backend_port)], f"{backend_url}/health"),
        Child("etl", ["etl", "--host", host, "--port", str(etl_port)], f"{etl_url}/health"),
        *[Child("worker", ["worker"]) for _ in range(workers)],
        Child("web", ["web", "--host", host, "--port", str(web_port)], f"{web_url}/health"),
    ]
    sim_url = f"{base}:{sim_port}"
    if demo:
        sim = Child("simulator", ["sim", "--host", host, "--port", str(sim_port)], f"{sim_url}/_sim/health")
        children.insert(0, sim)

    log_dir = None if verbose else settings.data_dir / "logs"

    def after_start() -> None:
        table = Table("service", "address", title="Pulse is running", show_header=True)
        table.add_row("web app", web_url)
        table.add_row("Backend Service", backend_url)
        table.add_row("ETL Service", etl_url)
        if demo:
            from pulse.demo import seed_demo

            table.add_row("GitHub/Jira simulator", sim_url)
            info = seed_demo(settings=settings, database_url=url, sim_url=sim_url, backend=backend_url, etl=etl_url)
            out.print(table)
            out.print(info.describe())
        else:
            out.print(table)
        if log_dir is not None:
            out.print(f"Service logs: {log_dir}/<service>.log (or run with --verbose)")
        out.print("Press Ctrl+C to stop.")

    code = Supervisor(children, env, log_dir).run(after_start)
    if code:
        fail("Pulse stopped because a service died", code)


def web(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(5173, "--port"),
) -> None:
    """Serve the built web app (frontend/dist) and its runtime configuration."""
    from pulse.web.app import create_web_app

    settings: Settings = get_settings()
    backend = settings.public_backend_url or settings.backend_service_url
    etl = settings.public_etl_url or f"http://{host}:8000"
    app = create_web_app(backend_url=backend, etl_url=etl)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


def sim(ctx: typer.Context) -> None:
    """Serve the simulated GitHub and Jira APIs (options: --host, --port, --seed, --anchor, --repos, ...)."""
    from pulse.sim.__main__ import main as sim_main

    sim_main(ctx.args)
