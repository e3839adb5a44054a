"""The Opsgenie connector: services, then incidents (Incident API v1) updated since the cursor.

Opsgenie's Incident API is what represents incidents: an incident there is declared by people for an outage
and carries its impacted services, priority and impact window; alerts (Alert API v2) are every page a monitor
raises, most of which are no failure of a deployment. Incidents are listed with
`query=updatedAt>=<epoch ms>` sorted by `createdAt` ascending: an incident updated during the walk keeps its
place, and one that newly matches shifts the rest forward (fetched twice, never skipped).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from pulse.etl.connectors.base.http import SourceClient, SourceError
from pulse.etl.connectors.base.interface import IntegrationConfig, SyncContext
from pulse.etl.connectors.base.paginate import PagingNextPaginator
from pulse.etl.connectors.base.streams import iso, low_watermark
from pulse.etl.connectors.incident_tools import INCIDENTS, IncidentWriter, probe, tool_client
from pulse.etl.connectors.opsgenie import streams as os_

PAGE_SIZE = 100


def client_for(integration: IntegrationConfig, ctx: SyncContext | None = None) -> SourceClient:
    """A SourceClient on the Opsgenie API (`https://api.opsgenie.com` or the EU host) with `GenieKey`."""
    key = (integration.credentials or {}).get("api_key", "")
    return tool_client(
        integration,
        ctx,
        headers={"Authorization": f"GenieKey {key}", "Accept": "application/json"},
        wait_headers=("x-ratelimit-period-in-sec",),
    )


class OpsgenieConnector:
    """Services and incidents of one Opsgenie account."""

    type: ClassVar[str] = "opsgenie"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Lists one service (`GET /v1/services?limit=1`)."""
        return probe(
            client_for(integration),
            source="Opsgenie",
            path="/v1/services?limit=1",
            count=lambda data: data.get("totalCount") if isinstance(data, dict) else None,
        )

    def sync(self, ctx: SyncContext) -> None:
        """Services, then incidents updated since the stored cursor."""
        client = client_for(ctx.integration, ctx)
        try:
            OpsgenieSync(ctx, client).run()
        finally:
            client.close()


class OpsgenieSync:
    """One sync run of one Opsgenie integration."""

    def __init__(self, ctx: SyncContext, client: SourceClient) -> None:
        self.ctx = ctx
        self.client = client
        self.settings: dict[str, Any] = dict(ctx.integration.settings or {})
        self.writer = IncidentWriter(ctx, client)
        self.page_size = min(int(self.settings.get("page_size", PAGE_SIZE)), PAGE_SIZE)
        self.overlap = timedelta(minutes=float(self.settings.get("overlap_minutes", 10)))

    def run(self) -> None:
        """The whole run."""
        names = self.sync_services()
        self.sync_incidents(names)
        self.writer.finish()

    def sync_services(self) -> dict[str, str]:
        """Every service: {id: name}."""
        stream = os_.Services(self.client, self.writer.counts)
        found: dict[str, str] = {}
        try:
            for page in PagingNextPaginator().pages(self.client, stream.path, {"limit": self.page_size}):
                found.update(stream.rows(stream.records(page)))
        except SourceError as exc:
            if exc.status not in (403, 404):
                raise
            # Listing services needs configuration access, which a read-only key may lack: incidents still
            # sync and match mappings by service id.
            self.ctx.log("warning", f"Opsgenie services not readable ({exc.status}); service names stay empty")
            return {}
        self.writer.save_services(found)
        return found

    def sync_incidents(self, names: dict[str, str]) -> None:
        """Incidents updated since `cursor - overlap` (or `sync_since`), committed page by page."""
        checkpoint = dict(self.ctx.get_checkpoint(INCIDENTS) or {})
        low = low_watermark(checkpoint.get("cursor"), self.settings.get("sync_since"), self.overlap)
        params: dict[str, Any] = {"sort": "createdAt", "order": "asc", "limit": self.page_size}
        if low is not None:
            params["query"] = f"updatedAt>={int(low.timestamp() * 1000)}"
        stream = os_.Incidents(self.client, self.writer.counts)
        cursor: str | None = checkpoint.get("cursor")
        for page in PagingNextPaginator().pages(self.client, stream.path, params):
            rows = stream.rows(stream.records(page))
            for row in rows:
                row["service_name"] = names.get(row["service_id"] or "")
                updated = iso(row["source_updated_at"])
                cursor = updated if cursor is None or updated > cursor else cursor
            # The walk is ordered by creation, not update: the cursor only moves once it is complete.
            self.writer.write(rows, None)
        self.writer.write([], {"cursor": cursor})
