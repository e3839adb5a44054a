"""Declarative streams: a stream is data (name, path, paginator, cursor) plus small hooks.

A connector declares its streams as subclasses of `Stream` and only writes `transform`; fetching pages,
skipping malformed records and counting what happened are done here, the same way for every source.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from pulse.etl.connectors.base.http import Page, SourceClient, requests_spent
from pulse.etl.connectors.base.interface import SyncContext
from pulse.etl.connectors.base.paginate import LinkHeaderPaginator

R = TypeVar("R")


class MalformedRecord(ValueError):
    """A source record lacks what its transform needs; it is logged and skipped."""


class Stream(Generic[R]):
    """One kind of source record: where it is listed and how one record becomes a row."""

    name: ClassVar[str]
    path: ClassVar[str]
    primary_key: ClassVar[str] = "id"
    cursor_field: ClassVar[str | None] = None
    records_key: ClassVar[str | None] = None
    paginator: ClassVar[Any] = LinkHeaderPaginator
    conditional: ClassVar[bool] = True

    def __init__(self, client: SourceClient, counts: SyncCounts) -> None:
        self.client = client
        self.counts = counts

    def pages(self, params: Mapping[str, Any] | None = None, **path_args: str) -> Iterator[Page]:
        """Pages of this stream's listing (path placeholders filled from `path_args`)."""
        paginator = self.paginator()
        if hasattr(paginator, "conditional"):
            paginator.conditional = self.conditional
        pages: Iterator[Page] = paginator.pages(self.client, self.path.format(**path_args), dict(params or {}))
        return pages

    def records(self, page: Page) -> list[dict[str, Any]]:
        """The records of one page (a 304 page has none to process)."""
        if page.not_modified or page.data is None:
            return []
        data = page.data[self.records_key] if self.records_key else page.data
        if not isinstance(data, list):
            raise MalformedRecord(f"{self.name}: page of {page.url} is not a list")
        return data

    def transform(self, record: dict[str, Any]) -> R:
        """One source record as a row (raise MalformedRecord, KeyError, TypeError or ValueError to skip it)."""
        raise NotImplementedError

    def rows(self, records: list[dict[str, Any]], transform: Callable[[dict[str, Any]], R] | None = None) -> list[R]:
        """Transform records, skipping (and reporting) the malformed ones."""
        out: list[R] = []
        fn = transform or self.transform
        for record in records:
            try:
                out.append(fn(record))
            except (MalformedRecord, KeyError, TypeError, ValueError, AttributeError) as exc:
                self.counts.skip(self.name, record_id(record, self.primary_key), exc)
        with self.counts.lock:
            self.counts.fetched[self.name] += len(records)
        return out


def record_id(record: Any, key: str = "id") -> str:
    """A record's id for log lines, whatever shape it came in."""
    if isinstance(record, dict):
        for name in (key, "id", "key", "number", "sha"):
            if record.get(name) is not None:
                return str(record[name])
    return "?"


class SyncCounts:
    """Running counts per stream, reported through `ctx.progress` and logged skips."""

    def __init__(self, ctx: SyncContext | None = None) -> None:
        self.ctx = ctx
        self.fetched: Counter[str] = Counter()
        self.written: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.lock = threading.Lock()

    def skip(self, stream: str, ident: str, exc: BaseException) -> None:
        """Count and log one malformed record."""
        with self.lock:
            self.skipped[stream] += 1
        reason = f"{type(exc).__name__}: {exc}"[:300]
        if self.ctx is not None:
            self.ctx.log("warning", f"skipped malformed {stream} record {ident}", stream=stream, record_id=ident,
                         reason=reason)  # fmt: skip

    def as_progress(self, extra: Mapping[str, int] | None = None) -> dict[str, int]:
        """Flat counts: written rows per stream plus totals (`skipped` is the number of bad records)."""
        out = {f"{name}": n for name, n in self.written.items()}
        out["skipped"] = sum(self.skipped.values())
        out["fetched"] = sum(self.fetched.values())
        out.update(extra or {})
        return out


def summary(counts: SyncCounts, client: SourceClient) -> str:
    """One line for the run's log: what was written, skipped and requested."""
    written = ", ".join(f"{n} {name}" for name, n in sorted(counts.written.items()) if n) or "nothing new"
    stats = client.stats
    return (
        f"synced {written}; skipped {sum(counts.skipped.values())} malformed or vanished records; "
        f"{stats.requests} requests ({stats.not_modified} not modified, {stats.retries} retried, "
        f"{stats.rate_limit_waits} rate-limit waits); {budget_line(stats.as_counts())}"
    )


def budget_line(counts: Mapping[str, int]) -> str:
    """What the run spent of the source's rate limit and what is left: requests, and GraphQL points if any."""
    spent = [f"{requests_spent(counts)} requests"]
    left = []
    if "requests_remaining" in counts:
        left.append(f"{counts['requests_remaining']} requests")
    if "points" in counts:
        spent.append(f"{counts['points']} GraphQL points")
    if "points_remaining" in counts:
        left.append(f"{counts['points_remaining']} points")
    return f"rate limit spent: {', '.join(spent)}; left: {', '.join(left) or 'not reported by the source'}"


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 source timestamp as an aware UTC datetime (None stays None)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedRecord(f"timestamp {value!r} is not a string")
    text = value.strip().replace("Z", "+00:00")
    # Jira writes offsets without a colon (+0100).
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def require_time(value: Any, field: str) -> datetime:
    """Like `parse_time` but the value must be present."""
    parsed = parse_time(value)
    if parsed is None:
        raise MalformedRecord(f"{field} is missing")
    return parsed


def iso(value: datetime) -> str:
    """UTC ISO string for checkpoints."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def low_watermark(checkpoint_cursor: str | None, sync_since: str | None, overlap: timedelta) -> datetime | None:
    """Where an incremental fetch starts: the cursor minus the overlap, else `sync_since`, else everything."""
    if checkpoint_cursor:
        return require_time(checkpoint_cursor, "cursor") - overlap
    if sync_since:
        since = parse_time(sync_since if "T" in sync_since else sync_since + "T00:00:00Z")
        return since
    return None
