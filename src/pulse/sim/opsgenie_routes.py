"""Opsgenie Incident API v1 routes (`/opsgenie/v1/...`): incidents and services, offset paging with `paging.next`.

`GET /v1/incidents` takes `query` (terms joined by ` AND `: `createdAt>=`/`updatedAt>=`/`createdAt<`/
`updatedAt<` with epoch milliseconds, `status:open|resolved|closed`), `offset`, `limit` (default 20, at most
100), `sort` (`createdAt`, `updatedAt`) and `order` (`asc`, `desc`, default `desc` like Opsgenie). An
incident is `open` until it resolves, then `resolved`; `impactEndDate` is its resolution time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.routing import BaseRoute, Route

from pulse.sim.endpoint import ApiError, Ctx, Handler, Reply, SimState
from pulse.sim.gen_incident_tools import ToolIncident, ToolService, incidents, services
from pulse.sim.incident_endpoint import IncidentToolEndpoint

PREFIX = "/opsgenie"
READ_ONLY = "read-only"
_TERM = re.compile(r"^(createdAt|updatedAt)(>=|<|>|<=)(\d+)$|^status:(open|resolved|closed)$")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def render_incident(ctx: Ctx, incident: ToolIncident) -> dict[str, Any]:
    """An incident as the list shows it, at the dataset's clock."""
    now = ctx.ds.now
    resolved = incident.resolved(now)
    return {
        "id": incident.id,
        "tinyId": str(incident.number),
        "message": incident.title,
        "status": "resolved" if resolved else "open",
        "tags": [],
        "createdAt": _iso(incident.opened_at),
        "updatedAt": _iso(incident.updated_at(now)),
        "priority": incident.priority,
        "ownerTeam": incident.service.team or "",
        "responders": [],
        "extraProperties": {},
        "links": {
            "web": f"https://{ctx.ds.org}.app.opsgenie.com/incident/detail/{incident.id}",
            "api": f"{ctx.site_root}{PREFIX}/v1/incidents/{incident.id}",
        },
        "impactStartDate": _iso(incident.opened_at),
        "impactEndDate": _iso(incident.resolved_at) if resolved else None,
        "actions": [],
        "impactedServices": [incident.service.id],
    }


def render_service(ctx: Ctx, service: ToolService) -> dict[str, Any]:
    """A service object."""
    return {
        "id": service.id,
        "name": service.name,
        "description": f"Runs {service.repo}" if service.repo else "Internal IT",
        "teamId": service.team or "",
        "tags": [],
    }


def _int(value: str | None, default: int, name: str) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise ApiError(422, f"{name} must be a non-negative integer")
    return int(value)


def _matches(ctx: Ctx, incident: ToolIncident, terms: list[re.Match[str]]) -> bool:
    now = ctx.ds.now
    for term in terms:
        if term.group(4):
            status = "resolved" if incident.resolved(now) else "open"
            if status != term.group(4):
                return False
            continue
        field, op, millis = term.group(1), term.group(2), int(term.group(3))
        at = incident.opened_at if field == "createdAt" else incident.updated_at(now)
        value = int(at.timestamp() * 1000)
        ok = {">=": value >= millis, ">": value > millis, "<": value < millis, "<=": value <= millis}[op]
        if not ok:
            return False
    return True


def _page(ctx: Ctx, items: list[Any], render: Any, default: int = 20) -> Reply:
    limit = min(max(1, _int(ctx.query.get("limit"), default, "limit")), 100)
    offset = _int(ctx.query.get("offset"), 0, "offset")
    page = items[offset : offset + limit]
    base = f"{ctx.site_root}{ctx.request.url.path}"

    def url(at: int) -> str:
        params = [(k, v) for k, v in ctx.query.multi_items() if k not in ("offset", "limit")]
        return f"{base}?{urlencode([*params, ('offset', str(at)), ('limit', str(limit))])}"

    paging = {"first": url(0), "last": url(max(0, (len(items) - 1) // limit * limit))}
    if offset + limit < len(items):
        paging["next"] = url(offset + limit)
    if offset > 0:
        paging["prev"] = url(max(0, offset - limit))
    body = {"data": [render(ctx, i) for i in page], "paging": paging, "totalCount": len(items), "took": 0.01,
            "requestId": f"sim-{ctx.state.served}"}  # fmt: skip
    return Reply(body)


def list_incidents(ctx: Ctx) -> Reply:
    """`GET /v1/incidents`."""
    raw = (ctx.query.get("query") or "").strip()
    terms = []
    for part in [p.strip() for p in raw.split(" AND ")] if raw else []:
        match = _TERM.match(part)
        if match is None:
            raise ApiError(422, f"Invalid query: {part}")
        terms.append(match)
    items = [i for i in incidents(ctx.ds, "opsgenie") if _matches(ctx, i, terms)]
    sort = ctx.query.get("sort", "createdAt")
    if sort not in ("createdAt", "updatedAt"):
        raise ApiError(422, f"Invalid sort field: {sort}")
    now = ctx.ds.now
    items.sort(key=lambda i: (i.opened_at if sort == "createdAt" else i.updated_at(now), i.number))
    if ctx.query.get("order", "desc") == "desc":
        items.reverse()
    return _page(ctx, items, render_incident)


def get_incident(ctx: Ctx) -> Reply:
    """`GET /v1/incidents/{id}`."""
    for incident in incidents(ctx.ds, "opsgenie"):
        if incident.id == ctx.params["id"]:
            return Reply({"data": render_incident(ctx, incident), "took": 0.01, "requestId": "sim"})
    raise ApiError(404, "No incident exists with id")


def list_services(ctx: Ctx) -> Reply:
    """`GET /v1/services`; a key named `read-only` lacks configuration access, like a read-only API key."""
    if ctx.identity == READ_ONLY:
        raise ApiError(403, "You are not authorized to take this action.")
    return _page(ctx, services(ctx.ds, "opsgenie"), render_service)


def opsgenie_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of the Opsgenie API under `/opsgenie`."""
    table: list[tuple[str, Handler]] = [
        ("/v1/incidents", list_incidents),
        ("/v1/incidents/{id}", get_incident),
        ("/v1/services", list_services),
    ]
    return [
        Route(PREFIX + path, IncidentToolEndpoint(state, "opsgenie", "GET", path, handler), methods=["GET"])
        for path, handler in table
    ]
