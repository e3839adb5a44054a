"""`pulse etl`, `pulse worker`, `pulse sync` and `pulse rotate-credentials`: the ETL side of the command."""

from __future__ import annotations

import asyncio

import typer
import uvicorn
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from pulse.cli.context import EXIT_CONFIG, console, fail, handled, out, settings
from pulse.core.config import ConfigError, Settings
from pulse.core.db.engine import get_engine, libpq_url, session_factory, unit_of_work
from pulse.core.db.models import Integration
from pulse.core.errors import NotFound

EXIT_RUN_FAILED = 2


@handled
def etl(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Run the ETL Service (integrations, jobs, data, metrics) on HOST:PORT."""
    current = settings()
    try:
        current.fernet_keys()
    except ConfigError as exc:
        fail(f"the ETL Service cannot start: {exc}", EXIT_CONFIG)
    from pulse.etl.main import create_app

    uvicorn.run(create_app(current), host=host, port=port, log_config=None, proxy_headers=False, server_header=False)


@handled
def worker(
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=64, help="Syncs this process runs at once."),
) -> None:
    """Run one job worker: syncs, recovery of runs whose worker died, and schedules."""
    current = settings()
    try:
        current.fernet_keys()
    except ConfigError as exc:
        fail(f"the worker cannot start: {exc}", EXIT_CONFIG)
    from pulse.etl.jobs.worker import run_worker

    asyncio.run(run_worker(current, concurrency=concurrency))


@handled
def sync(
    integration_id: int = typer.Argument(..., help="Integration id."),
    wait: bool = typer.Option(False, "--wait", help="Show progress until the run ends; non-zero exit if it failed."),
) -> None:
    """Start a sync of an integration now."""
    from pulse.etl.jobs import service as job_service

    current = settings()
    with unit_of_work(get_engine()) as db_session:
        integration = db_session.get(Integration, integration_id)
        if integration is None:
            raise NotFound(f"integration {integration_id} not found")
        run = job_service.start(db_session=db_session, settings=current, integration=integration, trigger="manual")
        job_run_id = run.id
    console.print(f"queued sync job {job_run_id} for integration {integration_id}")
    if not wait:
        out.print(job_run_id)
        return
    status = asyncio.run(_watch(current, job_run_id))
    if status != "FINISHED":
        fail(f"sync job {job_run_id} ended {status}", EXIT_RUN_FAILED)
    console.print(f"[green]sync job {job_run_id} finished[/]")


async def _watch(current: Settings, job_run_id: int) -> str:
    """Follow a run's events (LISTEN + reads, like the WebSocket) with a progress bar; returns its final status."""
    from pulse.core.listener import PgListener
    from pulse.etl.jobs.events import JobEventHub, follow

    listener = PgListener(libpq_url(current))
    hub = JobEventHub(listener)
    listener.start()
    wake = hub.subscribe(job_run_id)
    status = "PENDING"
    sessions = session_factory(get_engine())
    try:
        with Progress(
            TextColumn("[bold]{task.fields[status]}[/]"),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("waiting for a worker", total=100, status=status)
            async for message in follow(sessions, job_run_id, wake):
                if message["type"] == "log":
                    progress.console.print(
                        f"  [dim]{message['at'][11:19]}[/] {message['level']:<7} {message['message']}"
                    )
                    continue
                job = message["job"]
                status = job["status"]
                counts = ", ".join(f"{k} {v}" for k, v in sorted((job.get("counts") or {}).items()))
                description = " · ".join(part for part in (job.get("step") or "", counts) if part) or "…"
                progress.update(task, completed=job.get("percent") or 0, description=description, status=status)
    finally:
        hub.unsubscribe(job_run_id, wake)
        await listener.stop()
    return status


@handled
def rotate_credentials() -> None:
    """Re-encrypt every integration's credentials with the newest PULSE_ENCRYPTION_KEY key."""
    from pulse.etl.integrations import service as integration_service

    with unit_of_work(get_engine()) as db_session:
        changed = integration_service.rotate_all(db_session=db_session, settings=settings())
    out.print(f"re-encrypted {changed} integration credential(s) with the newest key")


def register(app: typer.Typer) -> None:
    """Add the ETL commands to the `pulse` app."""
    app.command("etl")(etl)
    app.command("worker")(worker)
    app.command("sync")(sync)
    app.command("rotate-credentials")(rotate_credentials)
