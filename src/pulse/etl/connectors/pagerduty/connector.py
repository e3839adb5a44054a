"""The PagerDuty connector: services, then incidents by creation time with a cursor that also revisits open ones.

PagerDuty filters incidents by `created_at` only (`since`/`until`), so a resolution of an older incident is
found by starting the next window at the oldest incident still open at the last sync (`open_since`) when that
is earlier than `cursor - overlap`. Windows are at most 179 days (PagerDuty refuses longer ones); a first sync
without `sync_since` asks for `date_range=all`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pulse.etl.connectors.base.http import SourceClient
from pulse.etl.connectors.base.interface import IntegrationConfig, SyncContext
from pulse.etl.connectors.base.paginate import OffsetPaginator
from pulse.etl.connectors.base.streams import iso, low_watermark, require_time
from pulse.etl.connectors.incident_tools import INCIDENTS, IncidentWriter, probe, tool_client
from pulse.etl.connectors.pagerduty import streams as ps

PAGE_SIZE = 100
MAX_WINDOW = timedelta(days=179)
ACCEPT = "application/vnd.pagerduty+json;version=2"


def client_for(integration: IntegrationConfig, ctx: SyncContext | None = None) -> SourceClient:
    """A SourceClient on the PagerDuty API with `Authorization: Token token=…`."""
    token = (integration.credentials or {}).get("token", "")
    return tool_client(
        integration,
        ctx,
        headers={"Authorization": f"Token token={token}", "Accept": ACCEPT},
        wait_headers=("ratelimit-reset",),
    )


def windows(low: datetime | None, now: datetime) -> list[dict[str, str]]:
    """The `since`/`until` windows covering [low, now + 1 h), or `date_range=all` without a low mark."""
    if low is None:
        return [{"date_range": "all"}]
    # An hour past our clock covers a source clock running slightly ahead.
    end = now + timedelta(hours=1)
    out = []
    start = low
    while start < end:
        stop = min(start + MAX_WINDOW, end)
        out.append({"since": iso(start), "until": iso(stop)})
        start = stop
    return out


class PagerDutyConnector:
    """Services and incidents of one PagerDuty account."""

    type: ClassVar[str] = "pagerduty"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Lists one service (`GET /services?limit=1&total=true`)."""
        return probe(
            client_for(integration),
            source="PagerDuty",
            path="/services?limit=1&total=true",
            count=lambda data: data.get("total") if isinstance(data, dict) else None,
        )

    def sync(self, ctx: SyncContext) -> None:
        """Services, then incidents since the stored cursor."""
        client = client_for(ctx.integration, ctx)
        try:
            PagerDutySync(ctx, client).run()
        finally:
            client.close()


class PagerDutySync:
    """One sync run of one PagerDuty integration."""

    def __init__(self, ctx: SyncContext, client: SourceClient) -> None:
        self.ctx = ctx
        self.client = client
        self.settings: dict[str, Any] = dict(ctx.integration.settings or {})
        self.writer = IncidentWriter(ctx, client)
        self.page_size = int(self.settings.get("page_size", PAGE_SIZE))
        self.overlap = timedelta(minutes=float(self.settings.get("overlap_minutes", 10)))

    def run(self) -> None:
        """The whole run."""
        self.sync_services()
        self.sync_incidents()
        self.writer.finish()

    def sync_services(self) -> None:
        """Every service (for names and the unmapped-services report)."""
        stream = ps.Services(self.client, self.writer.counts)
        found: dict[str, str] = {}
        for page in OffsetPaginator(page_size=self.page_size).pages(self.client, stream.path):
            found.update(stream.rows(stream.records(page)))
        self.writer.save_services(found)

    def sync_incidents(self) -> None:
        """Incidents created since `min(cursor - overlap, open_since)`, committed page by page."""
        checkpoint = dict(self.ctx.get_checkpoint(INCIDENTS) or {})
        low = low_watermark(checkpoint.get("cursor"), self.settings.get("sync_since"), self.overlap)
        if low is not None and checkpoint.get("open_since"):
            low = min(low, require_time(checkpoint["open_since"], "open_since"))
        stream = ps.Incidents(self.client, self.writer.counts)
        cursor: str | None = checkpoint.get("cursor")
        open_since: str | None = None
        for window in windows(low, datetime.now(UTC)):
            params = {**window, "sort_by": "created_at:asc"}
            for page in OffsetPaginator(page_size=self.page_size).pages(self.client, stream.path, params):
                rows = stream.rows(stream.records(page))
                for row in rows:
                    opened = iso(row["opened_at"])
                    cursor = opened if cursor is None or opened > cursor else cursor
                    if row["resolved_at"] is None and (open_since is None or opened < open_since):
                        open_since = opened
                # Pages commit without moving the cursor: a stopped run fetches the same window again, and the
                # upsert makes that harmless.
                self.writer.write(rows, None)
        self.writer.write([], {"cursor": cursor, "open_since": open_since})
