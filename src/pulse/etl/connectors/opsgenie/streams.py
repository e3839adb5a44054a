"""Opsgenie's streams: incidents (Incident API v1) and services, as rows (no HTTP here)."""

from __future__ import annotations

from typing import Any, ClassVar

from pulse.etl.connectors.base.paginate import PagingNextPaginator
from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time

RESOLVED = ("resolved", "closed")


class Incidents(Stream[dict[str, Any]]):
    """`GET /v1/incidents`: an incident row per record; its first impacted service is its service."""

    name: ClassVar[str] = "incidents"
    path: ClassVar[str] = "/v1/incidents"
    records_key: ClassVar[str | None] = "data"
    paginator: ClassVar[Any] = PagingNextPaginator
    conditional: ClassVar[bool] = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        """One incident as an `incidents` row (service name filled in later from the services listing)."""
        status = str(record["status"])
        opened = require_time(record.get("impactStartDate") or record.get("createdAt"), "createdAt")
        updated = parse_time(record.get("updatedAt")) or opened
        resolved = None
        if status in RESOLVED:
            resolved = parse_time(record.get("impactEndDate")) or updated
            if resolved is None:
                raise MalformedRecord("resolved incident without a resolution time")
        services = record.get("impactedServices") or []
        links = record.get("links") or {}
        return {
            "external_id": str(record["id"]),
            "source": "opsgenie",
            "key": f"OG-{record['tinyId']}",
            "title": str(record.get("message") or "")[:1000],
            "status": status,
            "severity": record.get("priority"),
            "service_id": str(services[0]) if services else None,
            "service_name": None,
            "url": links.get("web"),
            "opened_at": opened,
            "resolved_at": resolved,
            "source_updated_at": updated,
        }


class Services(Stream[tuple[str, str]]):
    """`GET /v1/services`: (id, name)."""

    name: ClassVar[str] = "services"
    path: ClassVar[str] = "/v1/services"
    records_key: ClassVar[str | None] = "data"
    paginator: ClassVar[Any] = PagingNextPaginator
    conditional: ClassVar[bool] = False

    def transform(self, record: dict[str, Any]) -> tuple[str, str]:
        """A service's id and name."""
        return str(record["id"]), str(record.get("name") or record["id"])
