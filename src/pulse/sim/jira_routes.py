"""Jira Cloud REST v3 routes over the dataset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.routing import BaseRoute, Route

from pulse.sim.endpoint import ApiError, Ctx, Endpoint, Handler, Reply, SimState
from pulse.sim.jira_shapes import JiraShapes
from pulse.sim.jql import Jql, JqlError, parse_jql
from pulse.sim.model import JiraProject, WorkItem
from pulse.sim.paging import decode_token, encode_token, fingerprint

SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def shapes(ctx: Ctx) -> JiraShapes:
    """Renderer for the site root the client used, in the configured user time zone."""
    tz_name = ctx.state.config.jira_time_zone
    return JiraShapes(ctx.ds, ctx.site_root, ZoneInfo(tz_name), tz_name)


def _int(value: Any, default: int, name: str) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"The '{name}' parameter must be a number.") from None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return [str(v) for part in value for v in str(part).split(",") if v]


def get_myself(ctx: Ctx) -> Reply:
    """The calling account, with its time zone (JQL dates are read in it)."""
    render = shapes(ctx)
    return Reply(
        {
            "self": f"{ctx.site_root}/rest/api/3/user?accountId=557058:sim",
            "accountId": "557058:sim",
            "accountType": "atlassian",
            "emailAddress": ctx.identity,
            "avatarUrls": {"48x48": ""},
            "displayName": "Pulse Simulator",
            "active": True,
            "timeZone": render.tz_name,
            "locale": "en_US",
            "groups": {"size": 1, "items": []},
            "applicationRoles": {"size": 1, "items": []},
            "expand": "groups,applicationRoles",
        }
    )


def get_server_info(ctx: Ctx) -> Reply:
    """Site information."""
    now = shapes(ctx).time(datetime.now(UTC).replace(microsecond=0))
    return Reply(
        {
            "baseUrl": ctx.site_root,
            "displayUrl": ctx.site_root,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100287,
            "buildDate": "2025-01-01T00:00:00.000+0000",
            "serverTime": now,
            "scmInfo": "sim",
            "serverTitle": "Jira",
            "defaultLocale": {"locale": "en_US"},
        }
    )


def search_projects(ctx: Ctx) -> Reply:
    """Projects as a page bean (startAt/maxResults/total/isLast/values)."""
    start = max(0, _int(ctx.query.get("startAt"), 0, "startAt"))
    size = min(max(1, _int(ctx.query.get("maxResults"), 50, "maxResults")), 100)
    keys = {k.upper() for k in _list(ctx.query.getlist("keys"))}
    text = (ctx.query.get("query") or "").lower()
    projects = [
        p
        for p in ctx.ds.projects
        if (not keys or p.key in keys or p.id in keys) and (text in p.key.lower() or text in p.name.lower())
    ]
    page = projects[start : start + size]
    render = shapes(ctx)
    expand = set(_list(ctx.query.get("expand")))
    body: dict[str, Any] = {
        "self": str(ctx.request.url),
        "maxResults": size,
        "startAt": start,
        "total": len(projects),
        "isLast": start + size >= len(projects),
        "values": [_searched(render, p, expand) for p in page],
    }
    if not body["isLast"]:
        body["nextPage"] = f"{ctx.site_root}/rest/api/3/project/search?startAt={start + size}&maxResults={size}"
    return Reply(body)


def _searched(render: JiraShapes, project: JiraProject, expand: set[str]) -> dict[str, Any]:
    """A project as search lists it, with only the expansions asked for (description, lead, issueTypes)."""
    out = render.project(project)
    full = render.project(project, full=True)
    for key in ("description", "lead", "issueTypes"):
        if key in expand:
            out[key] = full[key]
    return out


def _project(ctx: Ctx) -> Any:
    project = ctx.ds.project(ctx.params["key"])
    if project is None:
        raise ApiError(404, "No project could be found with key '{}'.".format(ctx.params["key"]))
    return project


def get_project(ctx: Ctx) -> Reply:
    """One project with its lead and issue types."""
    return Reply(shapes(ctx).project(_project(ctx), full=True))


def list_issue_types(ctx: Ctx) -> Reply:
    """Every issue type."""
    render = shapes(ctx)
    return Reply([render.issue_type(t) for t in ctx.ds.issue_types])


def project_statuses(ctx: Ctx) -> Reply:
    """Statuses of a project, per issue type."""
    _project(ctx)
    render = shapes(ctx)
    statuses = [render.status(s) for s in ctx.ds.statuses]
    return Reply([{**render.issue_type(t), "statuses": statuses} for t in ctx.ds.issue_types])


def list_statuses(ctx: Ctx) -> Reply:
    """Every status with its category."""
    render = shapes(ctx)
    return Reply([render.status(s) for s in ctx.ds.statuses])


def list_status_categories(ctx: Ctx) -> Reply:
    """The status categories."""
    render = shapes(ctx)
    return Reply([render.category(k) for k in ("new", "indeterminate", "done")])


def list_priorities(ctx: Ctx) -> Reply:
    """Every priority."""
    return Reply(
        [
            {
                "self": f"{ctx.site_root}/rest/api/3/priority/{p.id}",
                "name": p.name,
                "id": p.id,
                "statusColor": "#cccccc",
                "description": p.name,
            }
            for p in ctx.ds.priorities
        ]
    )


def list_fields(ctx: Ctx) -> Reply:
    """System and custom fields (story points and team are discovered here)."""
    return Reply(shapes(ctx).fields_catalogue())


def _query(ctx: Ctx, text: str) -> tuple[Jql, list[WorkItem]]:
    tz = ZoneInfo(ctx.state.config.jira_time_zone)
    try:
        jql = parse_jql(text, ctx.ds, tz, ctx.ds.now)  # relative dates count from the simulated present
    except JqlError as exc:
        raise ApiError(400, str(exc)) from None
    key = ("jql", text.strip(), ctx.state.config.jira_time_zone)
    # Cached per data version so paging through one query does not re-filter every item per page.
    items = ctx.ds.cached(key, lambda: jql.sort([w for w in ctx.ds.work_items if jql.matches(w)]))
    return jql, items


def search_jql(ctx: Ctx) -> Reply:
    """Enhanced JQL search with `nextPageToken` paging (GET query or POST body)."""
    source: Any = ctx.body if ctx.request.method == "POST" else None
    get = (
        (lambda name: source.get(name))
        if isinstance(source, dict)
        else (lambda name: ctx.query.getlist(name) if name == "fields" else ctx.query.get(name))
    )
    text = str(get("jql") or "")
    jql, items = _query(ctx, text)
    if not jql.bounded:
        raise ApiError(
            400, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        )
    size = min(max(1, _int(get("maxResults"), 50, "maxResults")), 100)
    query_fp = fingerprint(text.strip())
    token = get("nextPageToken")
    offset = 0
    if token:
        decoded = decode_token(str(token), query_fp)
        if decoded is None:
            raise ApiError(400, "The provided next page token is invalid or expired.")
        offset = decoded
    render = shapes(ctx)
    fields = render.field_ids(_list(get("fields")))
    expand = {e.strip() for e in _list(get("expand"))}
    page = items[offset : offset + size]
    body: dict[str, Any] = {"issues": [render.issue(w, fields, "changelog" in expand) for w in page]}
    if offset + size < len(items):
        body["nextPageToken"] = encode_token(offset + size, query_fp)
        body["isLast"] = False
    else:
        body["isLast"] = True
    return Reply(body)


def search_gone(ctx: Ctx) -> Reply:
    """The retired `/rest/api/3/search` answers 410 like Jira Cloud."""
    raise ApiError(410, SEARCH_GONE)


def _item(ctx: Ctx) -> WorkItem:
    item = ctx.ds.work_item(ctx.params["key"])
    if item is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    return item


def get_issue(ctx: Ctx) -> Reply:
    """One work item (all fields unless `fields` narrows them)."""
    item = _item(ctx)
    render = shapes(ctx)
    requested = _list(ctx.query.getlist("fields")) or ["*all"]
    expand = {e.strip() for e in _list(ctx.query.get("expand"))}
    return Reply(render.issue(item, render.field_ids(requested), "changelog" in expand))


def issue_changelog(ctx: Ctx) -> Reply:
    """A work item's changelog, oldest first, paged with startAt/maxResults."""
    item = _item(ctx)
    start = max(0, _int(ctx.query.get("startAt"), 0, "startAt"))
    size = min(max(1, _int(ctx.query.get("maxResults"), 100, "maxResults")), 100)
    render = shapes(ctx)
    page = item.histories[start : start + size]
    total = len(item.histories)
    base = f"{ctx.site_root}/rest/api/3/issue/{item.key}/changelog"
    body: dict[str, Any] = {
        "self": f"{base}?maxResults={size}&startAt={start}",
        "maxResults": size,
        "startAt": start,
        "total": total,
        "isLast": start + size >= total,
        "values": [render.history(h) for h in page],
    }
    if not body["isLast"]:
        body["nextPage"] = f"{base}?maxResults={size}&startAt={start + size}"
    return Reply(body)


def bulk_changelog(ctx: Ctx) -> Reply:
    """Changelogs of many work items, paged by histories with `nextPageToken`."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    keys = _list(body.get("issueIdsOrKeys"))
    if not keys or len(keys) > 1000:
        raise ApiError(400, "issueIdsOrKeys must contain between 1 and 1000 issues.")
    field_ids = set(_list(body.get("fieldIds")))
    size = min(max(1, _int(body.get("maxResults"), 1000, "maxResults")), 10_000)
    items = [w for w in (ctx.ds.work_item(k) for k in keys) if w is not None]
    query_fp = fingerprint(sorted(keys), sorted(field_ids), size)
    offset = 0
    if body.get("nextPageToken"):
        decoded = decode_token(str(body["nextPageToken"]), query_fp)
        if decoded is None:
            raise ApiError(400, "The provided next page token is invalid or expired.")
        offset = decoded
    render = shapes(ctx)
    logs: list[dict[str, Any]] = []
    position = 0
    taken = 0
    more = False
    for item in items:
        histories = [h for h in item.histories if not field_ids or any(i.field_id in field_ids for i in h.items)]
        chosen = []
        for history in histories:
            if position >= offset:
                if taken >= size:
                    more = True
                    break
                chosen.append(render.history(history))
                taken += 1
            position += 1
        if chosen:
            logs.append({"issueId": str(item.id), "changeHistories": chosen})
        if more:
            break
    out: dict[str, Any] = {"issueChangeLogs": logs}
    if more:
        out["nextPageToken"] = encode_token(offset + taken, query_fp)
    return Reply(out)


def jira_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of the Jira API."""
    table: list[tuple[str, list[str], Handler]] = [
        ("/rest/api/3/myself", ["GET"], get_myself),
        ("/rest/api/3/serverInfo", ["GET"], get_server_info),
        ("/rest/api/3/project/search", ["GET"], search_projects),
        ("/rest/api/3/project/{key}", ["GET"], get_project),
        ("/rest/api/3/project/{key}/statuses", ["GET"], project_statuses),
        ("/rest/api/3/issuetype", ["GET"], list_issue_types),
        ("/rest/api/3/status", ["GET"], list_statuses),
        ("/rest/api/3/statuscategory", ["GET"], list_status_categories),
        ("/rest/api/3/priority", ["GET"], list_priorities),
        ("/rest/api/3/field", ["GET"], list_fields),
        ("/rest/api/3/search/jql", ["GET", "POST"], search_jql),
        ("/rest/api/3/search", ["GET", "POST"], search_gone),
        ("/rest/api/3/issue/{key}", ["GET"], get_issue),
        ("/rest/api/3/issue/{key}/changelog", ["GET"], issue_changelog),
        ("/rest/api/3/changelog/bulkfetch", ["POST"], bulk_changelog),
    ]
    routes: list[BaseRoute] = []
    for path, methods, handler in table:
        for method in methods:
            routes.append(Route(path, Endpoint(state, "jira", method, path, handler), methods=[method]))
    return routes
