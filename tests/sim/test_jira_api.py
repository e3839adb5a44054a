"""Jira Cloud REST v3 simulation: JQL search paging, time zones, changelogs, fields, auth."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from pulse.sim.dataset import Dataset
from pulse.sim.server import RunningSimulator

SEARCH = "/rest/api/3/search/jql"


def _all_pages(jira: httpx.Client, body: dict) -> list[dict]:
    pages = [jira.post(SEARCH, json=body).json()]
    while not pages[-1]["isLast"]:
        pages.append(jira.post(SEARCH, json={**body, "nextPageToken": pages[-1]["nextPageToken"]}).json())
    return pages


def test_jql_search_pages_with_next_page_token(jira: httpx.Client, ds: Dataset) -> None:
    pages = _all_pages(jira, {"jql": "project = PAY ORDER BY updated ASC", "maxResults": 40, "fields": ["updated"]})
    assert len(pages) >= 3 and "nextPageToken" not in pages[-1]
    keys = [issue["key"] for page in pages for issue in page["issues"]]
    truth = sorted((w for w in ds.work_items if w.project == "PAY"), key=lambda w: (w.updated, w.id))
    assert keys == [w.key for w in truth]
    by_get = jira.get(
        SEARCH,
        params={
            "jql": "project = PAY ORDER BY updated ASC",
            "maxResults": 40,
            "nextPageToken": pages[0]["nextPageToken"],
            "fields": "updated",
        },
    )
    assert by_get.json()["issues"] == pages[1]["issues"]


def test_jql_updated_is_read_in_the_users_time_zone(jira: httpx.Client, ds: Dataset) -> None:
    zone = jira.get("/rest/api/3/myself").json()["timeZone"]
    assert zone == "Europe/Berlin"
    local = "2025-11-20 09:30"
    threshold = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    body = {
        "jql": f'project in (PAY, WEB, OPS) AND updated >= "{local}" ORDER BY updated DESC',
        "fields": ["updated"],
        "maxResults": 100,
    }
    keys = {issue["key"] for page in _all_pages(jira, body) for issue in page["issues"]}
    assert keys == {w.key for w in ds.work_items if w.updated >= threshold}
    sample = next(iter(_all_pages(jira, body)[0]["issues"]))["fields"]["updated"]
    assert sample.endswith(("+0100", "+0200"))


def test_search_requires_bounded_jql_and_old_search_is_gone(jira: httpx.Client) -> None:
    assert jira.post(SEARCH, json={"jql": ""}).status_code == 400
    bad = jira.get(SEARCH, params={"jql": "project = NOPE"})
    assert bad.status_code == 400 and "errorMessages" in bad.json()
    assert jira.get("/rest/api/3/search", params={"jql": "project = PAY"}).status_code == 410


def test_fields_are_discoverable_and_returned_only_when_asked(jira: httpx.Client, ds: Dataset) -> None:
    fields = jira.get("/rest/api/3/field").json()
    points = next(f for f in fields if f["name"] == "Story point estimate")
    team = next(f for f in fields if f["schema"].get("type") == "team")
    assert points["id"] == ds.spec.story_points_field and team["id"] == ds.spec.team_field
    bare = jira.get(SEARCH, params={"jql": "project = WEB", "maxResults": 1}).json()["issues"][0]
    assert bare["fields"] == {} and bare["key"].startswith("WEB-")
    wanted = f"summary,status,issuetype,parent,{points['id']},{team['id']},resolutiondate"
    params = {"jql": "project = WEB AND issuetype = Story", "fields": wanted}
    issue = jira.get(SEARCH, params=params).json()["issues"][0]
    truth = ds.work_item(issue["key"])
    assert issue["fields"]["status"]["statusCategory"]["key"] in ("new", "indeterminate", "done")
    assert issue["fields"][points["id"]] == truth.story_points
    assert issue["fields"][team["id"]]["name"] == ds.team(truth.team).name


def test_changelog_inline_is_capped_and_the_rest_is_fetchable(jira: httpx.Client, ds: Dataset) -> None:
    long = next(w for w in ds.work_items if len(w.histories) > 40)
    issue = jira.get(SEARCH, params={"jql": f"key = {long.key}", "expand": "changelog"}).json()["issues"][0]
    inline = issue["changelog"]
    assert inline["total"] == len(long.histories) and len(inline["histories"]) == inline["maxResults"] == 40
    values, start = [], 0
    while True:
        page = jira.get(f"/rest/api/3/issue/{long.key}/changelog", params={"startAt": start, "maxResults": 20}).json()
        values += page["values"]
        if page["isLast"]:
            break
        start += 20
    assert [v["id"] for v in values] == [str(h.id) for h in long.histories]
    short = next(w for w in ds.work_items if 2 < len(w.histories) < 10)
    bulk, token, seen = {"issueIdsOrKeys": [long.key, short.key], "maxResults": 25}, None, []
    while True:
        body = jira.post(
            "/rest/api/3/changelog/bulkfetch", json={**bulk, **({"nextPageToken": token} if token else {})}
        )
        data = body.json()
        seen += [h["id"] for log in data["issueChangeLogs"] for h in log["changeHistories"]]
        token = data.get("nextPageToken")
        if not token:
            break
    assert seen == [str(h.id) for h in long.histories + short.histories]


def test_projects_statuses_and_issue_types(jira: httpx.Client, ds: Dataset) -> None:
    projects = jira.get("/rest/api/3/project/search", params={"maxResults": 2}).json()
    assert projects["total"] == len(ds.projects) and projects["isLast"] is False and len(projects["values"]) == 2
    statuses = jira.get("/rest/api/3/project/PAY/statuses").json()
    assert {t["name"] for t in statuses} >= {"Epic", "Story", "Bug", "Incident"}
    categories = {s["statusCategory"]["key"] for s in jira.get("/rest/api/3/status").json()}
    assert categories == {"new", "indeterminate", "done"}
    assert jira.get("/rest/api/3/project/PAY").json()["lead"]["accountId"]


def test_bad_jira_credentials_are_rejected(sim: RunningSimulator) -> None:
    response = httpx.get(f"{sim.base_url}/rest/api/3/myself", auth=("sim@example.com", "wrong"))
    assert response.status_code == 401 and response.json()["errorMessages"]


def test_jql_filters_by_type_status_category_and_key(jira: httpx.Client, ds: Dataset) -> None:
    def keys(jql: str) -> set[str]:
        body = {"jql": jql, "maxResults": 100}
        pages = [jira.post(SEARCH, json=body).json()]
        while not pages[-1]["isLast"]:
            pages.append(jira.post(SEARCH, json={**body, "nextPageToken": pages[-1]["nextPageToken"]}).json())
        return {issue["key"] for page in pages for issue in page["issues"]}

    incidents = {w.key for w in ds.work_items if w.issue_type == "Incident"}
    assert keys("project in (PAY, WEB, OPS) AND issuetype = Incident") == incidents
    open_web = {w.key for w in ds.work_items if w.project == "WEB" and w.status != "Done"}
    assert keys("project = WEB AND statusCategory != Done ORDER BY created DESC") == open_web
    assert keys("key in (PAY-1, PAY-2)") == {"PAY-1", "PAY-2"}
    assert jira.post(SEARCH, json={"jql": "project = PAY OR project = WEB"}).status_code == 400
