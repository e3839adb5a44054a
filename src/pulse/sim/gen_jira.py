"""Generation of Jira work items: lifecycles through the workflow, changelogs and incidents."""

from __future__ import annotations

from datetime import datetime, timedelta

from pulse.sim.catalog import NOUNS, PRIORITY_BY_NAME, STATUS_BY_NAME, STORY_POINTS, SYMPTOMS, VERBS, WORK_LABELS
from pulse.sim.gen_base import Gen, secs
from pulse.sim.gen_github import incident_window, successful_production
from pulse.sim.model import (
    ChangeHistory,
    ChangeItem,
    Deployment,
    JiraProject,
    Team,
    WorkItem,
)
from pulse.sim.store import Dataset


def work_item_drafts(g: Gen, project: JiraProject, start: datetime) -> list[WorkItem]:
    """A project's work items (without keys yet), oldest first, with their lifecycles."""
    team = g.ds.team(project.team)
    count = g.ds.spec.work_items_per_project
    created = sorted(g.work_time(start, g.horizon - timedelta(hours=1)) for _ in range(count))
    drafts: list[WorkItem] = []
    epics: list[WorkItem] = []
    for n, at in enumerate(created):
        roll = g.rng.random()
        kind = "Epic" if roll < 0.04 or n == 0 else "Story" if roll < 0.5 else "Task" if roll < 0.75 else "Bug"
        item = new_work_item(g, project, team, kind, at)
        if kind == "Epic":
            epics.append(item)
        elif epics and g.rng.random() < 0.6:
            _set_parent(g, item, g.rng.choice(epics[-4:]))
        lifecycle(g, item, long_history=(n % 50 == 7))
        drafts.append(item)
    g.ds.cached(("pool", project.key), lambda: drafts)
    return drafts


def _set_parent(g: Gen, item: WorkItem, parent: WorkItem) -> None:
    # Keys are assigned after all items exist, so the link is kept by object until then.
    g.ds.cached("parents", dict)[id(item)] = parent


def new_work_item(g: Gen, project: JiraProject, team: Team, kind: str, at: datetime) -> WorkItem:
    """A fresh work item in To Do, created at `at` (key and id are given later)."""
    rng = g.rng
    priority = (
        rng.choice(["High", "Highest"])
        if kind == "Incident"
        else rng.choice(["Medium", "Medium", "Medium", "High", "Low", "Lowest", "Highest"])
    )
    noun = rng.choice(NOUNS)
    summary = {
        "Epic": f"{noun.title()} revamp",
        "Bug": f"{noun.capitalize()} is broken",
        "Incident": f"Production incident: {rng.choice(SYMPTOMS)}",
    }.get(kind, f"{rng.choice(VERBS)} {noun}")
    labels = sorted(set(rng.sample(WORK_LABELS, rng.choice([0, 0, 1, 1, 2]))))
    return WorkItem(
        id=0,
        key="",
        project=project.key,
        issue_type=kind,
        summary=summary,
        status="To Do",
        priority=priority,
        assignee=None,
        reporter=g.member(team),
        labels=labels,
        parent_key=None,
        story_points=None,
        team=team.slug,
        created=at,
        updated=at,
        resolved=None,
        histories=[],
    )


def _path_for(g: Gen, kind: str) -> list[tuple[str, float, float]]:
    """Status path as (status, min hours, max hours) after the previous step."""
    rng = g.rng
    if kind == "Incident":
        return [("In Progress", 0.05, 0.5), ("Done", 0.3, 30)]
    if kind == "Epic":
        return [("In Progress", 24, 400), ("Done", 200, 2000)]
    roll = rng.random()
    if roll < 0.12:
        return []  # backlog that never started
    if roll < 0.16:
        return [("In Progress", 1, 240)]  # stalled work
    path: list[tuple[str, float, float]] = [("In Progress", 1, 240), ("In Review", 2, 120)]
    for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2])):
        path += [("In Progress", 1, 30), ("In Review", 2, 48)]
    path.append(("Done", 0.5, 48))
    if rng.random() < 0.07:
        path += [("Reopened", 24, 400), ("In Progress", 1, 48), ("In Review", 2, 48), ("Done", 0.5, 24)]
    return path


def lifecycle(g: Gen, item: WorkItem, *, long_history: bool = False, resolve_at: datetime | None = None) -> None:
    """Fill an item's changelog: assignment, estimate, status transitions up to the horizon."""
    rng = g.rng
    team = g.ds.team(item.team)
    ds = g.ds
    changes: list[tuple[datetime, str, list[ChangeItem]]] = []
    at = secs(item.created, rng.uniform(60, 3 * 3600))
    assignee = g.member(team)
    changes.append((at, item.reporter, [_assignee_item(ds, None, assignee)]))
    if item.issue_type in ("Story", "Task", "Bug") and rng.random() < 0.75:
        points = rng.choice(STORY_POINTS)
        changes.append((secs(at, 60), item.reporter, [_points_item(ds, None, points)]))
    t = item.created
    for status, lo, hi in _path_for(g, item.issue_type):
        t = secs(t, g.hours(lo, hi))
        if status == "Done" and resolve_at is not None:
            t = resolve_at
        changes.append((t, assignee, [status_change(status)]))
    if rng.random() < 0.1:
        old, new = item.priority, rng.choice(["High", "Highest", "Low"])
        changes.append((secs(item.created, g.hours(1, 100)), item.reporter, [_priority_item(old, new)]))
    if long_history:
        for k in range(rng.randint(42, 60)):
            label = WORK_LABELS[k % len(WORK_LABELS)]
            item_change = ChangeItem("labels", "jira", "labels", None, "", None, label)
            changes.append((secs(item.created, 600 * (k + 1)), item.reporter, [item_change]))
    changes.sort(key=lambda c: c[0])
    for when, author, items in changes:
        if when > g.horizon:
            break
        apply_change(g, item, when, author, items)


def status_change(to: str) -> ChangeItem:
    """A status change to `to`; `apply_change` fills in where it came from."""
    return ChangeItem("status", "jira", "status", None, None, STATUS_BY_NAME[to].id, to)


def _assignee_item(ds: Dataset, old: str | None, new: str | None) -> ChangeItem:
    def acc(login: str | None) -> str | None:
        return ds.people[login].account_id if login else None

    def name(login: str | None) -> str | None:
        return ds.people[login].name if login else None

    return ChangeItem("assignee", "jira", "assignee", acc(old), name(old), acc(new), name(new))


def _points_item(ds: Dataset, old: float | None, new: float | None) -> ChangeItem:
    def fmt(value: float | None) -> str | None:
        return None if value is None else f"{value:g}"

    return ChangeItem("Story point estimate", "custom", ds.spec.story_points_field, None, fmt(old), None, fmt(new))


def _priority_item(old: str, new: str) -> ChangeItem:
    return ChangeItem("priority", "jira", "priority", PRIORITY_BY_NAME[old].id, old, PRIORITY_BY_NAME[new].id, new)


def apply_change(g: Gen, item: WorkItem, when: datetime, author: str, items: list[ChangeItem]) -> None:
    """Record one changelog history on an item and apply its effect to the item's fields."""
    out: list[ChangeItem] = []
    for change in items:
        if change.field == "status":
            to = change.to_string or "To Do"
            if to == item.status:
                continue
            old = STATUS_BY_NAME[item.status]
            out.append(ChangeItem("status", "jira", "status", old.id, old.name, change.to_id, to))
            was_done, now_done = old.category == "done", STATUS_BY_NAME[to].category == "done"
            item.status = to
            if now_done and not was_done:
                out.append(ChangeItem("resolution", "jira", "resolution", None, None, "10000", "Done"))
                item.resolved = when
            elif was_done and not now_done:
                out.append(ChangeItem("resolution", "jira", "resolution", "10000", "Done", None, None))
                item.resolved = None
        elif change.field == "assignee":
            change.from_id = g.ds.people[item.assignee].account_id if item.assignee else None
            change.from_string = g.ds.people[item.assignee].name if item.assignee else None
            item.assignee = next((p.login for p in g.ds.people.values() if p.account_id == change.to_id), None)
            out.append(change)
        elif change.field == "priority":
            if change.to_string == item.priority or change.to_string is None:
                continue
            out.append(_priority_item(item.priority, change.to_string))
            item.priority = change.to_string
        elif change.field_id == g.ds.spec.story_points_field:
            item.story_points = float(change.to_string) if change.to_string else None
            out.append(change)
        else:
            out.append(change)
    if not out:
        return
    item.histories.append(ChangeHistory(g.ds.next_id("history", 10_000), author, when, out))
    item.updated = max(item.updated, when)


def jira_incidents(g: Gen) -> dict[str, list[WorkItem]]:
    """Incident work items per project key, each opened after a team deployment."""
    out: dict[str, list[WorkItem]] = {}
    for team in g.ds.teams:
        project = g.ds.project(team.jira_project)
        repos = [r for r in g.ds.repositories if r.team == team.slug]
        if project is None or not repos:
            continue
        deps = successful_production([d for r in repos for d in r.deployments])
        items = []
        for index, dep in enumerate(deps):
            window = incident_window(deps, index, g.horizon)
            if window is None or g.rng.random() > 0.04:
                continue
            start, span = window
            opened = secs(start, g.rng.uniform(300, min(span * 0.8, 8 * 3600)))
            items.append(new_jira_incident(g, project, team, opened, dep))
        out[project.key] = items
    return out


def new_jira_incident(g: Gen, project: JiraProject, team: Team, opened: datetime, dep: Deployment) -> WorkItem:
    """An Incident work item opened at `opened`, attributed to `dep`."""
    item = new_work_item(g, project, team, "Incident", opened)
    item.deployment_id = dep.id
    lifecycle(g, item)
    return item


def finalise_work_items(g: Gen, drafts: dict[str, list[WorkItem]], incidents: dict[str, list[WorkItem]]) -> None:
    """Merge items and incidents, then give keys and ids in creation order and resolve parents."""
    ds = g.ds
    parents: dict[int, WorkItem] = ds.cached("parents", dict)
    for project in ds.projects:
        items = sorted(drafts.get(project.key, []) + incidents.get(project.key, []), key=lambda w: w.created)
        for n, item in enumerate(items, start=1):
            item.key = f"{project.key}-{n}"
        ds.work_items.extend(items)
    ds.work_items.sort(key=lambda w: w.created)
    for item in ds.work_items:
        item.id = ds.next_id("work_item", 10_000)
        parent = parents.get(id(item))
        if parent is not None:
            item.parent_key = parent.key
    ds.counters.update({f"jira_key:{p.key}": sum(1 for w in ds.work_items if w.project == p.key) for p in ds.projects})
