"""Sync schedules: every N minutes, or a cron expression in a time zone; fired by the workers' scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.orm import Session

from pulse.core.db.models import Integration, SyncSchedule
from pulse.core.errors import InvalidInput

MAX_INTERVAL_MINUTES = 60 * 24 * 31


@dataclass(frozen=True)
class Schedule:
    """A parsed `settings.schedule`."""

    interval_minutes: int | None = None
    cron: str | None = None
    timezone: str = "UTC"

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (UTC-aware)."""
        if self.interval_minutes is not None:
            return moment + timedelta(minutes=self.interval_minutes)
        assert self.cron is not None
        local = moment.astimezone(ZoneInfo(self.timezone))
        following: datetime = croniter(self.cron, local).get_next(datetime)
        return following.astimezone(UTC)


def parse_schedule(value: Any) -> Schedule:
    """`{interval_minutes}` or `{cron, timezone}`; InvalidInput naming the field otherwise."""
    if not isinstance(value, dict):
        raise InvalidInput(
            "settings.schedule must be {interval_minutes} or {cron, timezone}", field="settings.schedule"
        )
    unknown = set(value) - {"interval_minutes", "cron", "timezone"}
    if unknown:
        raise InvalidInput(f"settings.schedule has unknown keys: {sorted(unknown)}", field="settings.schedule")
    if ("interval_minutes" in value) == ("cron" in value):
        raise InvalidInput("settings.schedule needs exactly one of interval_minutes or cron", field="settings.schedule")
    if "interval_minutes" in value:
        minutes = value["interval_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_INTERVAL_MINUTES:
            raise InvalidInput(
                "settings.schedule.interval_minutes must be a whole number of minutes (1 to 44640)",
                field="settings.schedule.interval_minutes",
            )
        return Schedule(interval_minutes=minutes)
    cron = value["cron"]
    if not isinstance(cron, str) or len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise InvalidInput("settings.schedule.cron must be a 5-field cron expression", field="settings.schedule.cron")
    timezone = value.get("timezone") or "UTC"
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            "settings.schedule.timezone is not a known time zone", field="settings.schedule.timezone"
        ) from exc
    return Schedule(cron=cron, timezone=str(timezone))


def apply(*, db_session: Session, integration: Integration, now: datetime | None = None) -> SyncSchedule | None:
    """Make the integration's schedule row match its settings (inactive when none or when the integration is)."""
    row = db_session.execute(
        select(SyncSchedule).where(SyncSchedule.integration_id == integration.id)
    ).scalar_one_or_none()
    raw = (integration.settings or {}).get("schedule")
    if raw is None or not integration.active:
        if row is not None:
            row.active = False
            db_session.flush()
        return row
    schedule = parse_schedule(raw)
    now = now or datetime.now(UTC)
    unchanged = (
        row is not None
        and row.active
        and (row.interval_minutes, row.cron, row.timezone)
        == (schedule.interval_minutes, schedule.cron, schedule.timezone)
    )
    if unchanged:
        return row
    if row is None:
        row = SyncSchedule(client_id=integration.client_id, integration_id=integration.id)
        db_session.add(row)
    row.interval_minutes = schedule.interval_minutes
    row.cron = schedule.cron
    row.timezone = schedule.timezone
    row.next_run_at = schedule.next_after(now)
    row.active = True
    db_session.flush()
    return row
