"""Live job events: one LISTEN per ETL process fans change signals out to every WebSocket viewer.

The database is the source of truth: a signal only says "run N changed"; each viewer then reads the run
and the events after the last one it sent. A slow poll covers signals lost while the listener reconnects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pulse.core.db.models import JobRun
from pulse.core.listener import PgListener
from pulse.etl.jobs import service as job_service
from pulse.etl.jobs import states
from pulse.etl.jobs.schemas import JobRead

FALLBACK_POLL_SECONDS = 2.0
EVENT_PAGE = 1000


class JobEventHub:
    """Subscribers per job run id, woken on `pulse_job_events` notifications."""

    def __init__(self, listener: PgListener | None = None):
        self._subscribers: dict[int, set[asyncio.Event]] = {}
        if listener is not None:
            listener.subscribe(job_service.EVENTS_CHANNEL, self.handle)
            listener.on_state(lambda _connected: self.wake_all())

    def handle(self, payload: str) -> None:
        """Wake the viewers of the run a NOTIFY names."""
        try:
            job_run_id = int(payload)
        except ValueError:
            return
        for event in self._subscribers.get(job_run_id, ()):
            event.set()

    def wake_all(self) -> None:
        """Wake everyone (after a reconnect signals may have been missed)."""
        for events in self._subscribers.values():
            for event in events:
                event.set()

    def subscribe(self, job_run_id: int) -> asyncio.Event:
        """A wake-up event for one viewer of a run."""
        event = asyncio.Event()
        self._subscribers.setdefault(job_run_id, set()).add(event)
        return event

    def unsubscribe(self, job_run_id: int, event: asyncio.Event) -> None:
        """Forget a viewer."""
        events = self._subscribers.get(job_run_id)
        if events is not None:
            events.discard(event)
            if not events:
                self._subscribers.pop(job_run_id, None)


def read_changes(
    sessions: sessionmaker[Session], job_run_id: int, after_event_id: int, *, include_logs: bool
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], int]:
    """The run's current state message and the log messages after an event id (and the new last id)."""
    with sessions() as db_session:
        run = db_session.get(JobRun, job_run_id)
        if run is None:
            return None, [], after_event_id
        state = {"type": "state", "job": JobRead.of(run).model_dump(mode="json")}
        logs: list[dict[str, Any]] = []
        last = after_event_id
        while True:  # pages of events, so a long run's replay is sent at once rather than a page per wake-up
            page = job_service.events(db_session=db_session, job_run_id=job_run_id, after_id=last, limit=EVENT_PAGE)
            for event in page:
                last = event.id
                if include_logs:
                    at = event.created_at.isoformat()
                    logs.append({"type": "log", "level": event.level, "message": event.message, "at": at})
            if len(page) < EVENT_PAGE:
                return state, logs, last


async def follow(
    sessions: sessionmaker[Session],
    job_run_id: int,
    wake: asyncio.Event,
    *,
    include_logs: bool = True,
    poll_seconds: float = FALLBACK_POLL_SECONDS,
) -> AsyncIterator[dict[str, Any]]:
    """Yield the run's state (first the latest, then each change) and its log lines, until it ends."""
    last_event_id = 0
    last_state: dict[str, Any] | None = None
    while True:
        wake.clear()
        state, logs, last_event_id = await asyncio.to_thread(
            read_changes, sessions, job_run_id, last_event_id, include_logs=include_logs
        )
        if state is None:
            return
        for message in logs:
            yield message
        if state != last_state:
            last_state = state
            yield state
        if state["job"]["status"] in states.TERMINAL:
            return
        try:
            await asyncio.wait_for(wake.wait(), timeout=poll_seconds)
        except TimeoutError:
            pass
