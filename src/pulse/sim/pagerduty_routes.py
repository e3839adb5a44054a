"""PagerDuty REST API v2 routes (`/pagerduty/...`): incidents and services with classic offset paging.

`GET /incidents` filters by `since`/`until` (on `created_at`; default the last 30 days, at most 180 days
apart, like PagerDuty) unless `date_range=all`, and by `statuses[]` and `service_ids[]`; pages with
`offset`/`limit` (default 25, at most 100) and answers `more`; `sort_by=created_at[:asc|:desc]` (default
ascending). `total=true` fills `total`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.routing import BaseRoute, Route

from pulse.sim.endpoint import ApiError, Ctx, Handler, Reply, SimState
from pulse.sim.gen_incident_tools import ToolIncident, ToolService, incidents, services
from pulse.sim.incident_endpoint import IncidentToolEndpoint

PREFIX = "/pagerduty"
MAX_RANGE = timedelta(days=180)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ApiError(400, f"Invalid Input Provided: {name} is not a date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: str | None, default: int, name: str) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"Invalid Input Provided: {name} must be an integer") from None
    if number < 0:
        raise ApiError(400, f"Invalid Input Provided: {name} must not be negative")
    return number


def _api(ctx: Ctx) -> str:
    return ctx.site_root + PREFIX


def service_ref(ctx: Ctx, service: ToolService) -> dict[str, Any]:
    """A service reference as incidents embed it."""
    return {
        "id": service.id,
        "type": "service_reference",
        "summary": service.name,
        "self": f"{_api(ctx)}/services/{service.id}",
        "html_url": f"https://{ctx.ds.org}.pagerduty.com/service-directory/{service.id}",
    }


def render_service(ctx: Ctx, service: ToolService) -> dict[str, Any]:
    """A service object."""
    return {
        **service_ref(ctx, service),
        "type": "service",
        "name": service.name,
        "description": f"Runs {service.repo}" if service.repo else "Internal IT",
        "status": "active",
        "created_at": _iso(service.created_at),
    }


def render_incident(ctx: Ctx, incident: ToolIncident) -> dict[str, Any]:
    """An incident as `GET /incidents` lists it, as seen at the dataset's clock."""
    now = ctx.ds.now
    if incident.resolved(now):
        status, changed = "resolved", incident.resolved_at
    elif incident.acknowledged_at <= now:
        status, changed = "acknowledged", incident.acknowledged_at
    else:
        status, changed = "triggered", incident.opened_at
    return {
        "id": incident.id,
        "type": "incident",
        "summary": f"[#{incident.number}] {incident.title}",
        "self": f"{_api(ctx)}/incidents/{incident.id}",
        "html_url": f"https://{ctx.ds.org}.pagerduty.com/incidents/{incident.id}",
        "incident_number": incident.number,
        "title": incident.title,
        "created_at": _iso(incident.opened_at),
        "updated_at": _iso(changed),
        "status": status,
        "incident_key": incident.id.lower(),
        "service": service_ref(ctx, incident.service),
        "assignments": [],
        "last_status_change_at": _iso(changed),
        "resolved_at": _iso(incident.resolved_at) if status == "resolved" else None,
        "urgency": incident.urgency,
        "priority": {"id": "PPRI" + incident.priority[-1], "type": "priority", "summary": incident.priority},
    }


def _offset_page(ctx: Ctx, items: list[Any], key: str, render: Any) -> Reply:
    limit = min(max(1, _int(ctx.query.get("limit"), 25, "limit")), 100)
    offset = _int(ctx.query.get("offset"), 0, "offset")
    page = items[offset : offset + limit]
    total = len(items) if ctx.query.get("total") == "true" else None
    body = {key: [render(ctx, i) for i in page], "limit": limit, "offset": offset, "total": total,
            "more": offset + len(page) < len(items)}  # fmt: skip
    return Reply(body)


def list_incidents(ctx: Ctx) -> Reply:
    """`GET /incidents`."""
    items = incidents(ctx.ds, "pagerduty")
    if ctx.query.get("date_range") != "all":
        until = _time(ctx.query["until"], "until") if ctx.query.get("until") else ctx.ds.now
        since = _time(ctx.query["since"], "since") if ctx.query.get("since") else until - timedelta(days=30)
        if until - since > MAX_RANGE:
            raise ApiError(400, "Invalid Input Provided: the date range may span at most 6 months")
        items = [i for i in items if since <= i.opened_at < until]
    statuses = ctx.query.getlist("statuses[]")
    if statuses:
        items = [i for i in items if render_incident(ctx, i)["status"] in statuses]
    service_ids = ctx.query.getlist("service_ids[]")
    if service_ids:
        items = [i for i in items if i.service.id in service_ids]
    if ctx.query.get("sort_by", "created_at").endswith(":desc"):
        items = list(reversed(items))
    return _offset_page(ctx, items, "incidents", render_incident)


def get_incident(ctx: Ctx) -> Reply:
    """`GET /incidents/{id}`."""
    for incident in incidents(ctx.ds, "pagerduty"):
        if incident.id == ctx.params["id"]:
            return Reply({"incident": render_incident(ctx, incident)})
    raise ApiError(404, "Not Found")


def list_services(ctx: Ctx) -> Reply:
    """`GET /services`."""
    return _offset_page(ctx, services(ctx.ds, "pagerduty"), "services", render_service)


def pagerduty_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of the PagerDuty API under `/pagerduty`."""
    table: list[tuple[str, Handler]] = [
        ("/incidents", list_incidents),
        ("/incidents/{id}", get_incident),
        ("/services", list_services),
    ]
    return [
        Route(PREFIX + path, IncidentToolEndpoint(state, "pagerduty", "GET", path, handler), methods=["GET"])
        for path, handler in table
    ]
