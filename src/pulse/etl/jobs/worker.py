"""The worker process: Procrastinate's worker running syncs and facts rebuilds in threads, recovery, schedules."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from concurrent.futures import ThreadPoolExecutor

from procrastinate.worker import Worker

from pulse.core.config import Settings
from pulse.core.db.engine import libpq_url, make_engine
from pulse.core.logging import get_logger
from pulse.etl.connectors.base.interface import load_builtin_connectors
from pulse.etl.jobs import queue, runner

log = get_logger(__name__)


async def _maintenance(runtime: runner.Runtime) -> None:
    """Recover runs of dead workers and fire due schedules, on every worker (row locks keep it single)."""
    settings = runtime.settings
    period = max(0.2, min(settings.scheduler_interval_seconds, settings.job_heartbeat_seconds))
    next_schedule = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            await asyncio.to_thread(runner.recover_stale, runtime)
            await asyncio.to_thread(runner.requeue_orphans, runtime)
            await asyncio.to_thread(runner.close_dead_queue_jobs, runtime)
            if loop.time() >= next_schedule:
                await asyncio.to_thread(runner.fire_due_schedules, runtime)
                next_schedule = loop.time() + settings.scheduler_interval_seconds
        except Exception as exc:
            log.warning("maintenance_failed", error=type(exc).__name__)
        await asyncio.sleep(period)


async def run_worker(settings: Settings, *, concurrency: int = 1, stop: asyncio.Event | None = None) -> None:
    """Run a worker until SIGTERM/SIGINT (or `stop` is set): running syncs checkpoint and hand over."""
    load_builtin_connectors()
    # Sync tasks and maintenance run in the default executor: give every concurrent sync a thread and keep
    # spare ones, so recovery and schedules never wait behind long syncs.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=concurrency + 4, thread_name_prefix="pulse-worker")
    )
    url = libpq_url(settings)
    engine = make_engine(url, pool_size=concurrency + 3, max_overflow=concurrency + 3)
    runtime = runner.Runtime(settings=settings, engine=engine, url=url)
    app = queue.make_app(url)
    async with app.open_async():
        worker = Worker(
            app,
            queues=list(queue.QUEUES),
            name="pulse-worker",
            concurrency=concurrency,
            install_signal_handlers=False,
            additional_context={"runtime": runtime},
            fetch_job_polling_interval=2.0,
            abort_job_polling_interval=5.0,
            shutdown_graceful_timeout=60.0,
            delete_jobs="successful",
            update_heartbeat_interval=min(10.0, settings.job_heartbeat_seconds),
            stalled_worker_timeout=max(30.0, settings.job_stale_seconds),
        )

        def request_stop() -> None:
            log.info("worker_stopping")
            runtime.shutdown.set()
            worker.stop()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, request_stop)
        maintenance = asyncio.create_task(_maintenance(runtime), name="pulse-maintenance")
        watcher = asyncio.create_task(_wait_and_stop(stop, request_stop)) if stop is not None else None
        log.info("worker_started", concurrency=concurrency, name=runtime.name)
        try:
            await worker.run()
        finally:
            for task in (maintenance, watcher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
            engine.dispose()
            log.info("worker_stopped")


async def _wait_and_stop(stop: asyncio.Event, request_stop: object) -> None:
    await stop.wait()
    if callable(request_stop):
        request_stop()
