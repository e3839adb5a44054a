"""Jira Cloud REST v3 streams: where each record kind is listed and how one record becomes a row."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pulse.etl.connectors.base.paginate import NextPageTokenPaginator, StartAtPaginator
from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time

CATEGORIES = ("new", "indeterminate", "done")
# Asked for explicitly: the enhanced search returns only ids otherwise, and `*all` is wasteful.
BASE_FIELDS = [
    "summary",
    "issuetype",
    "status",
    "priority",
    "assignee",
    "labels",
    "parent",
    "project",
    "created",
    "updated",
    "resolutiondate",
]
STORY_POINT_NAMES = ("story points", "story point estimate")
TEAM_NAMES = ("team",)


class Projects(Stream[dict[str, Any]]):
    """Projects (`project/search`, paged with startAt)."""

    name = "jira_projects"
    path = "/rest/api/3/project/search"
    records_key = "values"
    paginator = StartAtPaginator
    conditional = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"external_id": str(record["id"]), "key": str(record["key"]), "name": str(record.get("name") or "")}


class IssueTypes(Stream[dict[str, Any]]):
    """Issue types."""

    name = "jira_issue_types"
    path = "/rest/api/3/issuetype"
    conditional = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": str(record["id"]),
            "name": str(record["name"]),
            "hierarchy_level": int(record.get("hierarchyLevel", 0) or 0),
            "subtask": bool(record.get("subtask", False)),
        }


class Statuses(Stream[dict[str, Any]]):
    """Statuses with their categories."""

    name = "jira_statuses"
    path = "/rest/api/3/status"
    conditional = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        category = (record.get("statusCategory") or {}).get("key")
        if category not in CATEGORIES:
            raise MalformedRecord(f"unknown status category {category!r}")
        return {"external_id": str(record["id"]), "name": str(record["name"]), "category_key": category}


class WorkItems(Stream[dict[str, Any]]):
    """Work items through the enhanced JQL search, paged with `nextPageToken`."""

    name = "work_items"
    path = "/rest/api/3/search/jql"
    records_key = "issues"
    primary_key = "key"
    paginator = NextPageTokenPaginator
    conditional = False

    def __init__(self, *args: Any, story_points_field: str | None, team_field: str | None, method: str = "GET") -> None:
        super().__init__(*args)
        self.method = method
        self.story_points_field = story_points_field
        self.team_field = team_field

    def pages(self, params: Any = None, **path_args: str) -> Any:
        """Pages of one query, by GET (query string) or POST (JSON body)."""
        return NextPageTokenPaginator(method=self.method).pages(self.client, self.path, dict(params or {}))

    def fields(self) -> list[str]:
        """The fields to ask for, custom ones included when discovered."""
        return BASE_FIELDS + [f for f in (self.story_points_field, self.team_field) if f]

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        fields = record["fields"]
        if not isinstance(fields, dict):
            raise MalformedRecord("fields is not an object")
        key = str(record["key"])
        status = fields["status"]
        project = fields.get("project") or {}
        changelog = record.get("changelog") or {}
        return {
            "external_id": str(record["id"]),
            "key": key,
            "project_external_id": str(project.get("id") or ""),
            "project_key": project.get("key") or key.rsplit("-", 1)[0],
            "summary": str(fields.get("summary") or ""),
            "issue_type": str(fields["issuetype"]["name"]),
            "status": str(status["name"]),
            "status_category": (status.get("statusCategory") or {}).get("key"),
            "priority": (fields.get("priority") or {}).get("name"),
            "assignee": person(fields.get("assignee")),
            "labels": [str(label) for label in fields.get("labels") or []],
            "parent_key": (fields.get("parent") or {}).get("key"),
            "story_points": number(fields.get(self.story_points_field)) if self.story_points_field else None,
            "team": team_name(fields.get(self.team_field)) if self.team_field else None,
            "opened_at": require_time(fields.get("created"), "created"),
            "source_updated_at": require_time(fields.get("updated"), "updated"),
            "resolved_at": parse_time(fields.get("resolutiondate")),
            "_histories": list(changelog.get("histories") or []),
            "_histories_total": int(changelog.get("total", 0) or 0),
        }


class Changelog(Stream[dict[str, Any]]):
    """The full changelog of one work item (when the inline one was cut short)."""

    name = "changelog"
    path = "/rest/api/3/issue/{key}/changelog"
    records_key = "values"
    paginator = StartAtPaginator
    conditional = False


def person(value: Any) -> str | None:
    """A user reference's display name (or account id)."""
    if not isinstance(value, dict):
        return None
    return value.get("displayName") or value.get("accountId")


def number(value: Any) -> Decimal | None:
    """A numeric custom field."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise MalformedRecord(f"{value!r} is not a number") from None


def team_name(value: Any) -> str | None:
    """The Atlassian team field (an object with name/title, or a plain string)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get("name") or value.get("title") or value.get("id")
    if isinstance(value, list):
        return team_name(value[0]) if value else None
    return str(value)


def transitions(created: datetime, histories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Status changes in time order, each with how long the item had been in the status it left."""
    changes = []
    for history in histories:
        at = require_time(history.get("created"), "history.created")
        for index, item in enumerate(history.get("items") or []):
            if item.get("field") != "status" and item.get("fieldId") != "status":
                continue
            changes.append(
                {
                    "external_id": f"{history['id']}:{index}",
                    "from_status": item.get("fromString"),
                    "to_status": str(item.get("toString") or ""),
                    "transitioned_at": at,
                    "author": person(history.get("author")),
                }
            )
    changes.sort(key=lambda c: (c["transitioned_at"], c["external_id"]))
    previous = created
    for change in changes:
        change["seconds_in_from_status"] = max(0, int((change["transitioned_at"] - previous).total_seconds()))
        previous = change["transitioned_at"]
    return changes
