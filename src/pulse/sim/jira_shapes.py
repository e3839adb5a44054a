"""Jira Cloud REST v3 JSON shapes of the dataset's objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from pulse.sim.catalog import PRIORITY_BY_NAME, STATUS_BY_NAME
from pulse.sim.model import ChangeHistory, JiraIssueType, JiraProject, JiraStatus, WorkItem
from pulse.sim.store import Dataset

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
INLINE_CHANGELOG = 40
ISSUE_EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"


def _system(fid: str, name: str, kind: str, navigable: bool = True, items: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, "system": fid}
    if items:
        schema["items"] = items
    return {
        "id": fid,
        "key": fid,
        "name": name,
        "custom": False,
        "orderable": True,
        "navigable": navigable,
        "searchable": True,
        "clauseNames": [fid],
        "schema": schema,
    }


def _custom(fid: str, name: str, kind: str, plugin: str, extra_clause: str) -> dict[str, Any]:
    number = int(fid.rsplit("_", 1)[1])
    return {
        "id": fid,
        "key": fid,
        "name": name,
        "untranslatedName": name,
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{number}]", name, f"{name}[{extra_clause}]"],
        "schema": {"type": kind, "custom": plugin, "customId": number},
    }


class JiraShapes:
    """Renders Jira objects for one site root, with times in the calling user's time zone."""

    def __init__(self, ds: Dataset, site: str, tz: tzinfo, tz_name: str) -> None:
        self.ds = ds
        self.site = site
        self.tz = tz
        self.tz_name = tz_name
        self.kinds = {t.name: t for t in ds.issue_types}
        self._users: dict[str, dict[str, Any]] = {}

    def time(self, value: datetime | None) -> str | None:
        """Jira timestamp: milliseconds and a numeric offset, in the user's zone."""
        if value is None:
            return None
        text = value.astimezone(self.tz).isoformat(timespec="milliseconds")
        return text[:-6] + text[-6:-3] + text[-2:]

    def user(self, login: str | None) -> dict[str, Any] | None:
        """A user (account) reference."""
        if login is None:
            return None
        if login in self._users:
            return self._users[login]
        person = self.ds.people[login]
        avatar = f"https://avatar-management.example.com/{person.account_id}"
        self._users[login] = {
            "self": f"{self.site}/rest/api/3/user?accountId={person.account_id}",
            "accountId": person.account_id,
            "emailAddress": person.email,
            "avatarUrls": {size: f"{avatar}/{size}" for size in ("48x48", "24x24", "16x16", "32x32")},
            "displayName": person.name,
            "active": True,
            "timeZone": self.tz_name,
            "accountType": "atlassian",
        }
        return self._users[login]

    def category(self, key: str) -> dict[str, Any]:
        """A status category."""
        cat = CATEGORIES[key]
        return {"self": f"{self.site}/rest/api/3/statuscategory/{cat['id']}", **cat}

    def status(self, status: JiraStatus) -> dict[str, Any]:
        """A status with its category."""
        return {
            "self": f"{self.site}/rest/api/3/status/{status.id}",
            "description": "",
            "iconUrl": f"{self.site}/images/icons/statuses/generic.png",
            "name": status.name,
            "untranslatedName": status.name,
            "id": status.id,
            "statusCategory": self.category(status.category),
        }

    def issue_type(self, kind: JiraIssueType) -> dict[str, Any]:
        """An issue type."""
        return {
            "self": f"{self.site}/rest/api/3/issuetype/{kind.id}",
            "id": kind.id,
            "description": kind.description,
            "iconUrl": f"{self.site}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{kind.id}",
            "name": kind.name,
            "untranslatedName": kind.name,
            "subtask": False,
            "avatarId": int(kind.id),
            "hierarchyLevel": kind.hierarchy_level,
        }

    def project(self, project: JiraProject, full: bool = False) -> dict[str, Any]:
        """A project (search shape, or the full one with lead and issue types)."""
        out: dict[str, Any] = {
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": f"{self.site}/rest/api/3/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "avatarUrls": {"48x48": f"{self.site}/rest/api/3/universal_avatar/view/type/project/avatar/10400"},
            "projectTypeKey": "software",
            "simplified": False,
            "style": "classic",
            "isPrivate": False,
            "properties": {},
        }
        if full:
            out.update(
                description=f"{project.name} team work",
                lead=self.user(project.lead),
                issueTypes=[self.issue_type(t) for t in self.ds.issue_types],
                assigneeType="UNASSIGNED",
                versions=[],
                components=[],
                roles={},
            )
        return out

    def fields_catalogue(self) -> list[dict[str, Any]]:
        """Everything `/rest/api/3/field` lists, custom fields included."""
        spec = self.ds.spec
        return [
            _system("summary", "Summary", "string"),
            _system("issuetype", "Issue Type", "issuetype"),
            _system("status", "Status", "status"),
            _system("priority", "Priority", "priority"),
            _system("assignee", "Assignee", "user"),
            _system("reporter", "Reporter", "user"),
            _system("labels", "Labels", "array", items="string"),
            _system("parent", "Parent", "issuelink"),
            _system("project", "Project", "project"),
            _system("created", "Created", "datetime"),
            _system("updated", "Updated", "datetime"),
            _system("resolutiondate", "Resolved", "datetime"),
            _system("resolution", "Resolution", "resolution"),
            _system("description", "Description", "string"),
            _custom("customfield_10020", "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint", "Sprint"),
            _custom("customfield_10019", "Rank", "any", "com.pyxis.greenhopper.jira:gh-lexo-rank", "Rank"),
            _custom(
                spec.story_points_field,
                "Story point estimate",
                "number",
                "com.pyxis.greenhopper.jira:jsw-story-points",
                "Number",
            ),
            _custom(
                spec.team_field,
                "Team",
                "team",
                "com.atlassian.jira.plugin.system.customfieldtypes:atlassian-team",
                "Team",
            ),
        ]

    def _priority(self, name: str) -> dict[str, Any]:
        priority = PRIORITY_BY_NAME[name]
        return {
            "self": f"{self.site}/rest/api/3/priority/{priority.id}",
            "iconUrl": f"{self.site}/images/icons/priorities/{name.lower()}.svg",
            "name": name,
            "id": priority.id,
        }

    def _team(self, slug: str) -> dict[str, Any]:
        team = self.ds.team(slug)
        return {
            "id": team.team_id,
            "name": team.name,
            "avatarUrl": "",
            "isVisible": True,
            "isVerified": False,
            "title": team.name,
            "isShared": True,
        }

    def _field(self, item: WorkItem, name: str) -> Any:
        spec = self.ds.spec
        kinds = self.kinds
        if name == "summary":
            return item.summary
        if name == "status":
            return self.status(STATUS_BY_NAME[item.status])
        if name == "issuetype":
            return self.issue_type(kinds[item.issue_type])
        if name == "priority":
            return self._priority(item.priority)
        if name in ("assignee", "reporter"):
            return self.user(item.assignee if name == "assignee" else item.reporter)
        if name == "labels":
            return list(item.labels)
        if name == "parent":
            return self._parent(item.parent_key)
        if name == "project":
            project = self.ds.project(item.project)
            return self.project(project) if project else None
        if name in ("created", "updated", "resolutiondate"):
            return self.time({"created": item.created, "updated": item.updated}.get(name, item.resolved))
        if name == "resolution":
            return (
                None
                if item.resolved is None
                else {
                    "self": f"{self.site}/rest/api/3/resolution/10000",
                    "id": "10000",
                    "description": "Work has been completed on this issue.",
                    "name": "Done",
                }
            )
        if name == "description":
            return {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": item.summary}]}],
            }
        if name == spec.story_points_field:
            return item.story_points
        if name == spec.team_field:
            return self._team(item.team)
        if name in ("customfield_10020", "customfield_10019"):
            return None
        raise KeyError(name)

    def _parent(self, key: str | None) -> dict[str, Any] | None:
        parent = self.ds.work_item(key) if key else None
        if parent is None:
            return None
        return {
            "id": str(parent.id),
            "key": parent.key,
            "self": f"{self.site}/rest/api/3/issue/{parent.id}",
            "fields": {
                "summary": parent.summary,
                "status": self.status(STATUS_BY_NAME[parent.status]),
                "priority": self._priority(parent.priority),
                "issuetype": self.issue_type(next(t for t in self.ds.issue_types if t.name == parent.issue_type)),
            },
        }

    def field_ids(self, requested: Iterable[str] | None) -> list[str]:
        """Field ids a `fields` parameter selects (`*all`, `*navigable`, `-x`; default only the id)."""
        catalogue = [f["id"] for f in self.fields_catalogue()]
        chosen: list[str] = []
        for raw in requested or []:
            name = raw.strip()
            if name in ("*all", "*navigable"):
                chosen.extend(catalogue)
            elif name.startswith("-"):
                chosen = [c for c in chosen if c != name[1:]]
            elif name in catalogue and name not in chosen:
                chosen.append(name)
        return list(dict.fromkeys(chosen))

    def issue(self, item: WorkItem, fields: list[str], changelog: bool) -> dict[str, Any]:
        """A work item with the chosen fields and, if asked, its first 40 histories inline."""
        out: dict[str, Any] = {
            "expand": ISSUE_EXPAND,
            "id": str(item.id),
            "self": f"{self.site}/rest/api/3/issue/{item.id}",
            "key": item.key,
            "fields": {name: self._field(item, name) for name in fields},
        }
        if changelog:
            histories = item.histories[:INLINE_CHANGELOG]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(item.histories),
                "histories": [self.history(h) for h in histories],
            }
        return out

    def history(self, history: ChangeHistory) -> dict[str, Any]:
        """One changelog history."""
        return {
            "id": str(history.id),
            "author": self.user(history.author),
            "created": self.time(history.created),
            "items": [
                {
                    "field": i.field,
                    "fieldtype": i.fieldtype,
                    "fieldId": i.field_id,
                    "from": i.from_id,
                    "fromString": i.from_string,
                    "to": i.to_id,
                    "toString": i.to_string,
                }
                for i in history.items
            ],
        }
