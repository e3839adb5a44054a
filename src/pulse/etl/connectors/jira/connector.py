"""The Jira Cloud connector: projects, issue types, statuses and work items with their status transitions."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from pulse.core.db.models.business import JiraIssueType, JiraProject, JiraStatus, WorkItem, WorkItemTransition
from pulse.etl.connectors.base.http import RetryPolicy, SourceClient
from pulse.etl.connectors.base.interface import IntegrationConfig, PermanentSyncError, SyncContext
from pulse.etl.connectors.base.probe import probe_identity
from pulse.etl.connectors.base.streams import MalformedRecord, SyncCounts, iso, low_watermark, summary
from pulse.etl.connectors.jira import streams as js
from pulse.etl.load.links import link_work_items
from pulse.etl.load.upsert import deactivate_others, upsert

PAGE_SIZE = 100


def client_for(integration: IntegrationConfig, ctx: SyncContext | None = None) -> SourceClient:
    """A SourceClient on the Jira site with basic auth (email + API token)."""
    creds = integration.credentials or {}
    raw = f"{creds.get('email', '')}:{creds.get('api_token', '')}".encode()
    settings = integration.settings or {}
    return SourceClient(
        base_url=integration.base_url,
        headers={
            "Authorization": "Basic " + base64.b64encode(raw).decode(),
            "Accept": "application/json",
            "User-Agent": "pulse-etl",
        },
        sleep=ctx.sleep if ctx else (lambda s: time.sleep(min(s, 5.0))),
        check_interrupted=ctx.check_interrupted if ctx else lambda: None,
        retry=RetryPolicy(backoff_seconds=float(settings.get("retry_backoff_seconds", 1.0))),
    )


def jql_time(moment: datetime, zone: tzinfo) -> str:
    """`yyyy-MM-dd HH:mm` in the Jira user's zone, rounded down to the minute (JQL has no seconds)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class JiraConnector:
    """Projects, issue types, statuses, work items and their changelogs."""

    type: ClassVar[str] = "jira"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Calls `/rest/api/3/myself`."""
        return probe_identity(
            client_for(integration), source="Jira", path="/rest/api/3/myself", name_field="displayName"
        )

    def sync(self, ctx: SyncContext) -> None:
        """Sync the configured projects."""
        run = JiraSync(ctx)
        try:
            run.run()
        finally:
            run.client.close()


class JiraSync:
    """One sync run of one Jira integration."""

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.integration = ctx.integration
        self.settings: dict[str, Any] = dict(self.integration.settings or {})
        self.client_id = self.integration.client_id
        self.integration_id = self.integration.id
        self.client = client_for(self.integration, ctx)
        self.counts = SyncCounts(ctx)
        self.overlap = timedelta(minutes=float(self.settings.get("overlap_minutes", 10)))
        self.page_size = int(self.settings.get("page_size", PAGE_SIZE))

    def base(self, row: dict[str, Any]) -> dict[str, Any]:
        """Tenant and integration columns added to a row."""
        return {"client_id": self.client_id, "integration_id": self.integration_id, **row}

    def progress(self, step: str, percent: float | None = None) -> None:
        """Report the current step and counts."""
        self.ctx.progress(step=step, percent=percent, counts=self.counts.as_progress(self.client.stats.as_counts()))

    def run(self) -> None:
        """Catalogues first (small, refreshed at most every `catalogue_refresh_hours`), then work items."""
        named = sorted(str(k).strip().upper() for k in self.settings.get("projects") or [] if str(k).strip())
        cached = dict(self.ctx.get_checkpoint("jira_catalogue") or {})
        refresh = timedelta(hours=float(self.settings.get("catalogue_refresh_hours", 6)))
        fresh = (
            cached.get("named") == named
            and cached.get("synced_at")
            and datetime.now(UTC) - datetime.fromisoformat(str(cached["synced_at"])) < refresh
        )
        if fresh:
            # Nothing in the catalogues changes often: an unchanged re-sync costs one search request.
            zone = self.zone_named(cached.get("time_zone"))
            points_field, team_field = cached.get("points_field"), cached.get("team_field")
            projects = {key: (int(ident), ext) for key, (ident, ext) in dict(cached["projects"]).items()}
        else:
            zone_name = self.time_zone_name()
            zone = self.zone_named(zone_name)
            points_field, team_field = self.custom_fields()
            self.progress("projects", 0.0)
            projects = self.sync_projects()
            self.sync_catalogue(js.IssueTypes(self.client, self.counts), JiraIssueType)
            self.sync_catalogue(js.Statuses(self.client, self.counts), JiraStatus)
            catalogue = {
                "named": named,
                "synced_at": datetime.now(UTC).isoformat(),
                "time_zone": zone_name,
                "points_field": points_field,
                "team_field": team_field,
                "projects": {key: list(value) for key, value in projects.items()},
            }
            self.ctx.commit("jira_catalogue", catalogue, lambda s: None)
        self.progress("work items", 5.0)
        self.sync_work_items(projects, zone, points_field, team_field)
        self.ctx.commit("links", None, self.link)
        self.progress("done", 100.0)
        self.ctx.log(
            "info", summary(self.counts, self.client), **self.counts.as_progress(self.client.stats.as_counts())
        )

    def link(self, session: Session) -> None:
        """Link work items to pull requests that name them."""
        link_work_items(session, client_id=self.client_id)

    def time_zone_name(self) -> str | None:
        """The API user's time zone name, in which JQL reads dates."""
        page = self.client.get("/rest/api/3/myself")
        name = page.data.get("timeZone") if isinstance(page.data, dict) else None
        return str(name) if name else None

    def zone_named(self, name: str | None) -> tzinfo:
        """A time zone by name (UTC when unknown)."""
        try:
            return ZoneInfo(name) if name else UTC
        except (ZoneInfoNotFoundError, ValueError):
            self.ctx.log("warning", f"unknown Jira time zone {name!r}; using UTC")
            return UTC

    def custom_fields(self) -> tuple[str | None, str | None]:
        """Ids of the story-points and team fields, found by name (they differ per site)."""
        page = self.client.get("/rest/api/3/field")
        points = team = None
        for field in page.data or []:
            name = str(field.get("name", "")).strip().lower()
            fid = field.get("id")
            if points is None and name in js.STORY_POINT_NAMES:
                points = fid
            if team is None and name in js.TEAM_NAMES:
                team = fid
        points = self.settings.get("story_points_field") or points
        team = self.settings.get("team_field") or team
        return points, team

    def sync_projects(self) -> dict[str, tuple[int, str]]:
        """Configured projects (all visible ones when none are named); {key: (row id, external id)}."""
        named = [str(k).strip().upper() for k in self.settings.get("projects") or [] if str(k).strip()]
        stream = js.Projects(self.client, self.counts)
        params: dict[str, Any] = {}
        if named:
            params["keys"] = ",".join(named)
        rows: list[dict[str, Any]] = []
        for page in stream.pages(params):
            rows.extend(stream.rows(stream.records(page)))
        if named:
            rows = [r for r in rows if r["key"].upper() in named]
            missing = sorted(set(named) - {r["key"].upper() for r in rows})
            if missing:
                raise PermanentSyncError(f"Jira projects not found or not visible: {', '.join(missing)}")
        if not rows:
            raise PermanentSyncError("no Jira project is visible to these credentials")
        out = [self.base(r) for r in rows]
        ids: dict[str, int] = {}

        def write(session: Session) -> None:
            ids.update(upsert(session, JiraProject, out))
            deactivate_others(session, JiraProject, client_id=self.client_id, integration_id=self.integration_id,
                              keep=[r["external_id"] for r in out])  # fmt: skip

        self.ctx.commit("jira_projects", {"synced_at": iso(datetime.now(UTC))}, write)
        self.counts.written["jira_projects"] += len(out)
        return {r["key"]: (ids[r["external_id"]], r["external_id"]) for r in rows}

    def sync_catalogue(self, stream: js.IssueTypes | js.Statuses, model: Any) -> None:
        """A small listing answered in one page."""
        page = self.client.get(stream.path)
        rows = [self.base(r) for r in stream.rows(stream.records(page))]

        def write(session: Session) -> None:
            upsert(session, model, rows)

        self.ctx.commit(stream.name, {"synced_at": iso(datetime.now(UTC))}, write)
        self.counts.written[stream.name] += len(rows)

    def sync_work_items(
        self, projects: dict[str, tuple[int, str]], zone: tzinfo, points_field: str | None, team_field: str | None
    ) -> None:
        """Work items updated since the cursor, oldest update first; the cursor moves forward page by page."""
        name = "work_items"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.settings.get("sync_since"), self.overlap)
        jql = f"project in ({', '.join(quote(k) for k in sorted(projects))})"
        if low is not None:
            jql += f" AND updated >= {quote(jql_time(low, zone))}"
        jql += " ORDER BY updated ASC, key ASC"
        method = "POST" if str(self.settings.get("search_method", "GET")).upper() == "POST" else "GET"
        stream = js.WorkItems(
            self.client, self.counts, story_points_field=points_field, team_field=team_field, method=method
        )
        params: dict[str, Any] = {"jql": jql, "expand": "changelog", "maxResults": self.page_size}
        if method == "POST":
            # Long JQL (many projects) fits a POST body better than a URL; there `fields` is a list.
            params["fields"] = stream.fields()
        else:
            params["fields"] = ",".join(stream.fields())
        cursor = checkpoint.get("cursor")
        project_ids = {key: ident for key, (ident, _) in projects.items()}
        for page in stream.pages(params):
            rows = stream.rows(stream.records(page))
            items = []
            for row in rows:
                try:
                    items.append(self.with_transitions(row, project_ids))
                except (MalformedRecord, KeyError, TypeError, ValueError) as exc:
                    self.counts.skip(name, row.get("key", "?"), exc)
            for row in rows:
                stamp = iso(row["source_updated_at"])
                if cursor is None or stamp > cursor:
                    cursor = stamp
            self.ctx.commit(name, {"cursor": cursor}, self.writer(items))
            self.counts.written["work_items"] += len(items)
            self.progress("work items")

    def with_transitions(self, row: dict[str, Any], project_ids: dict[str, int]) -> dict[str, Any]:
        """A work item row plus its status transitions (fetching the rest of a long changelog)."""
        histories = row.pop("_histories")
        total = row.pop("_histories_total")
        if total > len(histories):
            stream = js.Changelog(self.client, self.counts)
            histories = []
            for page in stream.pages({}, key=row["key"]):
                histories.extend(stream.records(page))
        project_id = project_ids.get(row.pop("project_key"))
        row.pop("project_external_id", None)
        if project_id is None:
            raise MalformedRecord("work item of a project that is not synced")
        row["project_id"] = project_id
        return {"item": row, "transitions": js.transitions(row["opened_at"], histories)}

    def writer(self, items: list[dict[str, Any]]) -> Any:
        """The write function of one page of work items."""
        return lambda session: self.write_work_items(session, items)

    def write_work_items(self, session: Session, items: list[dict[str, Any]]) -> None:
        """Upsert work items and their transitions."""
        if not items:
            return
        ids = upsert(session, WorkItem, [self.base(i["item"]) for i in items])
        rows = [
            self.base({**t, "work_item_id": ids[i["item"]["external_id"]]}) for i in items for t in i["transitions"]
        ]
        upsert(session, WorkItemTransition, rows)
        self.counts.written["work_item_transitions"] += len(rows)
