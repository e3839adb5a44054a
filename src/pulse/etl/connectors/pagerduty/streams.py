"""PagerDuty's streams: incidents and services, as rows (no HTTP here)."""

from __future__ import annotations

from typing import Any, ClassVar

from pulse.etl.connectors.base.paginate import OffsetPaginator
from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time


class Incidents(Stream[dict[str, Any]]):
    """`GET /incidents`: an incident row per record; severity is the priority when set, else the urgency."""

    name: ClassVar[str] = "incidents"
    path: ClassVar[str] = "/incidents"
    records_key: ClassVar[str | None] = "incidents"
    paginator: ClassVar[Any] = OffsetPaginator
    conditional: ClassVar[bool] = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        """One incident as an `incidents` row."""
        status = str(record["status"])
        opened = require_time(record.get("created_at"), "created_at")
        resolved = None
        if status == "resolved":
            resolved = parse_time(record.get("resolved_at")) or parse_time(record.get("last_status_change_at"))
            if resolved is None:
                raise MalformedRecord("resolved incident without a resolution time")
        service = record.get("service") or {}
        priority = record.get("priority") or {}
        updated = parse_time(record.get("updated_at")) or parse_time(record.get("last_status_change_at"))
        return {
            "external_id": str(record["id"]),
            "source": "pagerduty",
            "key": f"PD-{int(record['incident_number'])}",
            "title": str(record.get("title") or record.get("summary") or "")[:1000],
            "status": status,
            "severity": priority.get("summary") or record.get("urgency"),
            "service_id": service.get("id"),
            "service_name": service.get("summary"),
            "url": record.get("html_url"),
            "opened_at": opened,
            "resolved_at": resolved,
            "source_updated_at": updated or resolved or opened,
        }


class Services(Stream[tuple[str, str]]):
    """`GET /services`: (id, name)."""

    name: ClassVar[str] = "services"
    path: ClassVar[str] = "/services"
    records_key: ClassVar[str | None] = "services"
    paginator: ClassVar[Any] = OffsetPaginator
    conditional: ClassVar[bool] = False

    def transform(self, record: dict[str, Any]) -> tuple[str, str]:
        """A service's id and name."""
        return str(record["id"]), str(record.get("name") or record.get("summary") or record["id"])
