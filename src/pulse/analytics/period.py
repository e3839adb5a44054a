"""The period and filters every metric takes: inclusive local dates turned into a half-open UTC window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pulse.core.errors import InvalidInput

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366 + 1
GRANULARITIES = ("week", "month")


@dataclass(frozen=True)
class Period:
    """`from`..`to` inclusive dates in `tz`, as the half-open instant window [start, end)."""

    from_date: date
    to_date: date
    tz: str
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        """Calendar days in the period."""
        return (self.to_date - self.from_date).days + 1

    @property
    def weeks(self) -> float:
        """Length of the period in weeks (days / 7)."""
        return self.days / 7


def parse_period(from_date: date | None, to_date: date | None, tz: str | None) -> Period:
    """Validate the dates and time zone and compute the instant window (defaults: the last 90 days)."""
    zone_name = (tz or "UTC").strip() or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"tz: unknown time zone {zone_name!r}", field="tz") from exc
    today = datetime.now(zone).date()
    end_day = to_date or today
    start_day = from_date or end_day - timedelta(days=DEFAULT_DAYS - 1)
    if start_day > end_day:
        raise InvalidInput("from: must be on or before to", field="from")
    if (end_day - start_day).days + 1 > MAX_DAYS:
        raise InvalidInput(f"from: the period may span at most {MAX_DAYS} days", field="from")
    start = datetime.combine(start_day, time(0), zone).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return Period(from_date=start_day, to_date=end_day, tz=zone_name, start=start, end=end)


@dataclass(frozen=True)
class Filters:
    """Who and what a metric covers, within one tenant."""

    client_id: int
    team_id: int | None = None
    repository_id: int | None = None
    environment: str | None = None
    project: str | None = None


def check_granularity(granularity: str) -> str:
    """`week` or `month`, else 422 naming the field."""
    value = granularity.strip().lower()
    if value not in GRANULARITIES:
        raise InvalidInput("granularity: must be week or month", field="granularity")
    return value


def bucket_starts(period: Period, granularity: str) -> list[date]:
    """Every week (Monday) or month start that overlaps the period, in order."""
    first = period.from_date
    if granularity == "week":
        first = first - timedelta(days=first.weekday())
    else:
        first = first.replace(day=1)
    out: list[date] = []
    cursor = first
    while cursor <= period.to_date:
        out.append(cursor)
        if granularity == "week":
            cursor = cursor + timedelta(days=7)
        else:
            cursor = next_month(cursor)
    return out


def bucket_bounds(
    period: Period, buckets: list[date], granularity: str | None
) -> tuple[list[datetime], list[datetime]]:
    """The instant window [lo, hi) of each bucket, clipped to the period (`granularity` None: the period)."""
    if granularity is None:
        return [period.start] * len(buckets), [period.end] * len(buckets)
    zone = ZoneInfo(period.tz)
    starts = [datetime.combine(b, time(0), zone).astimezone(UTC) for b in buckets]
    last = buckets[-1] + timedelta(days=7) if granularity == "week" else next_month(buckets[-1])
    ends = [*starts[1:], datetime.combine(last, time(0), zone).astimezone(UTC)]
    return [max(lo, period.start) for lo in starts], [min(hi, period.end) for hi in ends]


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_days(period: Period, bucket: date, granularity: str) -> int:
    """Days of the bucket that fall inside the period (the per-week denominator of a trend point)."""
    if granularity == "week":
        nxt = bucket + timedelta(days=7)
    else:
        nxt = next_month(bucket)
    lo = max(bucket, period.from_date)
    hi = min(nxt - timedelta(days=1), period.to_date)
    return max((hi - lo).days + 1, 0)
