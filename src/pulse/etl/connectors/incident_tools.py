"""What the incident-tool connectors (PagerDuty, Opsgenie) share: the client, writing incidents, the
test-connection call and the report of services no mapping covers.

Both go through `SourceClient` (retries, back-off, 429 waits) and the base paginators: the official SDKs
(`pagerduty`, `opsgenie-sdk`) would bring a second HTTP stack with its own retry and paging rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from pulse.core.db.models import Incident
from pulse.etl.connectors.base.http import RetryPolicy, SourceClient, SourceError
from pulse.etl.connectors.base.interface import IntegrationConfig, SyncContext
from pulse.etl.connectors.base.streams import SyncCounts, iso, summary
from pulse.etl.integrations.service_mappings import mapped
from pulse.etl.load.upsert import upsert

INCIDENTS = "incidents"
SERVICES = "services"


def tool_client(
    integration: IntegrationConfig,
    ctx: SyncContext | None,
    *,
    headers: Mapping[str, str],
    wait_headers: tuple[str, ...],
) -> SourceClient:
    """A SourceClient on the tool's API root with its auth header."""
    settings = integration.settings or {}
    return SourceClient(
        base_url=integration.base_url,
        headers={"User-Agent": "pulse-etl", **headers},
        sleep=ctx.sleep if ctx else (lambda s: time.sleep(min(s, 5.0))),
        check_interrupted=ctx.check_interrupted if ctx else lambda: None,
        retry=RetryPolicy(backoff_seconds=float(settings.get("retry_backoff_seconds", 1.0))),
        wait_headers=wait_headers,
    )


def probe(client: SourceClient, *, source: str, path: str, count: Callable[[Any], int | None]) -> tuple[bool, str]:
    """One cheap listing call (the tools' API keys have no identity route); never raises."""
    client.retry = RetryPolicy(max_attempts=2, backoff_seconds=0.2, max_rate_limit_waits=0)
    try:
        page = client.get(path)
    except SourceError as exc:
        return False, f"{source} answered {exc.status}" + (": bad credentials" if exc.status in (401, 403) else "")
    except Exception as exc:
        return False, f"{source} is unreachable: {type(exc).__name__}"
    finally:
        client.close()
    seen = count(page.data)
    return True, f"Connected to {source}" + (f": {seen} services visible" if seen is not None else "")


class IncidentWriter:
    """Writes one integration's incidents and reports what it did."""

    def __init__(self, ctx: SyncContext, client: SourceClient) -> None:
        self.ctx = ctx
        self.client = client
        self.counts = SyncCounts(ctx)
        self.integration = ctx.integration

    def write(self, rows: list[dict[str, Any]], checkpoint: dict[str, Any] | None) -> None:
        """Upsert a page of incident rows (and the checkpoint, when given) in one transaction."""
        full = [{"client_id": self.integration.client_id, "integration_id": self.integration.id, **r} for r in rows]

        def apply(session: Session) -> None:
            if full:
                upsert(session, Incident, full)

        self.ctx.commit(INCIDENTS, checkpoint, apply)
        self.counts.written[INCIDENTS] += len(full)
        self.ctx.progress(step=INCIDENTS, counts=self.counts.as_progress(self.client.stats.as_counts()))

    def save_services(self, services: dict[str, str]) -> None:
        """Remember the listed services (id -> name) and say which ones no mapping covers."""
        self.ctx.commit(SERVICES, {"services": services, "synced_at": iso(datetime.now(UTC))}, lambda s: None)
        self.counts.written[SERVICES] += len(services)
        settings = self.integration.settings or {}
        unmapped = sorted(name for ident, name in services.items() if not mapped(settings, ident, name))
        if unmapped:
            self.ctx.log(
                "info",
                f"{len(unmapped)} services have no mapping; their incidents count in time to restore only: "
                + ", ".join(unmapped[:20]),
            )

    def finish(self) -> None:
        """The run's summary line."""
        counts = self.counts.as_progress(self.client.stats.as_counts())
        self.ctx.progress(step="done", percent=100.0, counts=counts)
        self.ctx.log("info", summary(self.counts, self.client), **counts)
