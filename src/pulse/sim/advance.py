"""Deterministic evolution of a dataset, so incremental syncs have something new to find."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pulse.sim.catalog import STATUS_BY_NAME
from pulse.sim.gen_base import Gen, secs, sha_of
from pulse.sim.gen_github import (
    add_run,
    append_main_commit,
    ci_run,
    deploy,
    deploy_run,
    label_pull_request,
    mark_superseded,
    new_incident_issue,
    new_pull_request,
    successful_production,
)
from pulse.sim.gen_jira import apply_change, lifecycle, new_jira_incident, new_work_item, status_change
from pulse.sim.model import (
    PRODUCTION,
    STAGING,
    Commit,
    Deployment,
    DeploymentStatus,
    PullRequest,
    Repository,
    Review,
)
from pulse.sim.store import Dataset

NEXT_STATUS = {"To Do": "In Progress", "Reopened": "In Progress", "In Progress": "In Review", "In Review": "Done"}


@dataclass(slots=True)
class AdvanceResult:
    """What one advance step created or changed."""

    now: datetime
    new_pulls: list[str] = field(default_factory=list)
    updated_pulls: list[str] = field(default_factory=list)
    new_deployments: list[int] = field(default_factory=list)
    new_issues: list[str] = field(default_factory=list)
    new_work_items: list[str] = field(default_factory=list)
    updated_work_items: list[str] = field(default_factory=list)
    late_deployments: list[int] = field(default_factory=list)
    force_pushed_pulls: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "now": self.now.isoformat().replace("+00:00", "Z"),
            "new_pulls": self.new_pulls,
            "updated_pulls": self.updated_pulls,
            "new_deployments": self.new_deployments,
            "new_issues": self.new_issues,
            "new_work_items": self.new_work_items,
            "updated_work_items": self.updated_work_items,
            "late_deployments": self.late_deployments,
            "force_pushed_pulls": self.force_pushed_pulls,
        }


def advance(
    ds: Dataset,
    *,
    hours: float = 24,
    new_pulls_per_repo: int = 2,
    new_work_items_per_project: int = 3,
    transition_fraction: float = 0.05,
    late_deployments: int = 0,
    force_pushes: int = 0,
) -> AdvanceResult:
    """Move the dataset's clock forward and let the organisation work: PRs, deployments, Jira changes.

    `late_deployments` repositories (at most) get a production deployment reported late: it finished between
    their last two successful ones. `force_pushes` open pull requests (at most) get their branch rewritten.
    Both default to none, so the usual evolution of a seed stays what it was.
    """
    rng = random.Random(f"pulse-sim:{ds.spec.seed}:advance:{ds.advances}")
    old, new = ds.now, ds.now + timedelta(hours=hours)
    g = Gen(ds, rng, new)
    result = AdvanceResult(now=new)
    span = (new - old).total_seconds()
    for repo in ds.repositories:
        _advance_repo(g, repo, old, span, result, new_pulls_per_repo)
    for project in ds.projects:
        _advance_project(g, project.key, old, span, result, new_work_items_per_project, transition_fraction)
    for repo in rng.sample(ds.repositories, min(late_deployments, len(ds.repositories))):
        _late_deployment(g, repo, new, result)
    open_pulls = [(r, p) for r in ds.repositories for p in r.pulls if p.state == "open"]
    for repo, pr in rng.sample(open_pulls, min(force_pushes, len(open_pulls))):
        _force_push(g, repo, pr, old, span, result)
    ds.now = new
    ds.advances += 1
    ds.touch()
    return result


def _advance_repo(g: Gen, repo: Repository, old: datetime, span: float, result: AdvanceResult, count: int) -> None:
    rng, ds = g.rng, g.ds
    team = ds.team(repo.team)
    merges: list[PullRequest] = []
    for pr in [p for p in repo.pulls if p.state == "open"]:
        at = secs(old, rng.uniform(0.05, 0.4) * span)
        roll = rng.random()
        if pr.draft:
            if roll < 0.3:
                pr.draft = False
                pr.updated_at = at
                result.updated_pulls.append(f"{repo.full_name}#{pr.number}")
            continue
        if roll < 0.5:
            reviewer = g.member(team, exclude=pr.user)
            review_at = max(at, secs(pr.created_at, 60))
            pr.reviews.append(Review(ds.next_id("review"), reviewer, "APPROVED", review_at, "LGTM", pr.head_sha))
            pr.merged_at = pr.closed_at = pr.updated_at = secs(review_at, rng.uniform(60, 3600))
            pr.state, pr.merged_by = "closed", reviewer
            merges.append(pr)
        elif roll < 0.55:
            pr.state, pr.closed_at, pr.updated_at = "closed", at, at
        elif roll < 0.75:
            reviewer = g.member(team, exclude=pr.user)
            pr.reviews.append(Review(ds.next_id("review"), reviewer, "COMMENTED", at, "Question inline.", pr.head_sha))
            pr.updated_at = at
        else:
            continue
        result.updated_pulls.append(f"{repo.full_name}#{pr.number}")
    project_key = team.jira_project
    for _ in range(count):
        created = secs(old, rng.uniform(0.05, 0.5) * span)
        pr = new_pull_request(g, repo, team, created, project_key=project_key)
        pr.number = repo.next_number
        repo.next_number += 1
        _pr, item = g.pending_labels.pop()
        label_pull_request(g, pr, item)
        repo.pulls.append(pr)
        add_run(g, repo, ci_run(g, repo, pr))
        result.new_pulls.append(f"{repo.full_name}#{pr.number}")
        if pr.merged_at:
            merges.append(pr)
    if not merges:
        # Every step ships something, so incremental syncs always see a new deployment.
        candidates = [p for p in repo.pulls if p.state == "open"]
        if candidates:
            pr = candidates[0]
            reviewer = g.member(team, exclude=pr.user)
            review_at = max(secs(old, 0.3 * span), secs(pr.created_at, 1800))
            pr.reviews.append(Review(ds.next_id("review"), reviewer, "APPROVED", review_at, "LGTM", pr.head_sha))
            pr.merged_at = pr.closed_at = pr.updated_at = secs(review_at, 600)
            pr.state, pr.merged_by, pr.draft = "closed", reviewer, False
            merges.append(pr)
            name = f"{repo.full_name}#{pr.number}"
            if name not in result.new_pulls and name not in result.updated_pulls:
                result.updated_pulls.append(name)
    merges.sort(key=lambda p: p.merged_at or old)
    for pr in merges:
        commit = append_main_commit(g, repo, pr.merged_at or old, pr)
        commit.message = f"{pr.title} (#{pr.number})"
    _advance_deployments(g, repo, team, merges, result)


def _advance_deployments(g: Gen, repo: Repository, team: Any, merges: list[PullRequest], result: AdvanceResult) -> None:
    rng, ds = g.rng, g.ds
    if not merges:
        return
    head = len(repo.main) - 1
    last_merge = repo.main[head].committed_at
    fresh: list[Deployment] = []
    # Deploy soon enough that the attempt (and a retry) finishes inside the step.
    latest = secs(g.horizon, -3 * 3600)
    soonest = secs(last_merge, 120)
    staging = deploy(g, repo, team, STAGING, head, max(soonest, min(secs(last_merge, 600), latest)), fail_rate=0)
    prod_at = max(secs(soonest, 600), min(secs(last_merge, 1800), latest))
    production = deploy(g, repo, team, PRODUCTION, head, prod_at, fail_rate=0.1)
    fresh.extend(d for d in (staging, production) if d is not None)
    if production is not None and production.outcome != "success":
        retry_at = secs(production.statuses[-1].created_at, 1200)
        retry = deploy(g, repo, team, PRODUCTION, head, retry_at, fail_rate=0.0)
        if retry is not None:
            fresh.append(retry)
            production = retry
    mark_superseded(repo.deployments)
    for dep in fresh:
        dep.id = ds.next_id("deployment", 3_000_000_000)
        result.new_deployments.append(dep.id)
    for dep in repo.deployments:
        for status in dep.statuses:
            if status.id == 0:
                status.id = ds.next_id("deployment_status", 8_000_000_000)
    for dep in fresh:
        add_run(g, repo, deploy_run(g, repo, dep))
    if production is not None and production.outcome == "success" and rng.random() < 0.3:
        finished = production.finished_at or production.created_at
        opened = secs(finished, rng.uniform(300, 1800))
        if opened < g.horizon:
            issue = new_incident_issue(g, repo, team, opened, production)
            issue.number = repo.next_number
            repo.next_number += 1
            repo.issues.append(issue)
            result.new_issues.append(f"{repo.full_name}#{issue.number}")
    if production is not None and production.outcome == "success" and rng.random() < 0.15:
        project = ds.project(team.jira_project)
        finished = production.finished_at or production.created_at
        opened = secs(finished, rng.uniform(300, 1800))
        if project is not None and opened < g.horizon:
            item = new_jira_incident(g, project, team, opened, production)
            _register_item(g, item)
            result.new_work_items.append(item.key)


def _register_item(g: Gen, item: Any) -> None:
    ds = g.ds
    number = ds.counters.get(f"jira_key:{item.project}", 0) + 1
    ds.counters[f"jira_key:{item.project}"] = number
    item.key = f"{item.project}-{number}"
    item.id = ds.next_id("work_item", 10_000)
    ds.work_items.append(item)


def _advance_project(
    g: Gen, key: str, old: datetime, span: float, result: AdvanceResult, count: int, fraction: float
) -> None:
    rng, ds = g.rng, g.ds
    project = ds.project(key)
    if project is None:
        return
    team = ds.team(project.team)
    open_items = [w for w in ds.work_items if w.project == key and STATUS_BY_NAME[w.status].category != "done"]
    for item in open_items:
        if rng.random() >= fraction or item.issue_type == "Incident":
            continue
        nxt = NEXT_STATUS.get(item.status)
        last = item.histories[-1].created if item.histories else item.created
        at = max(secs(old, rng.uniform(0.05, 0.9) * span), secs(last, 60))
        if nxt is None or at >= g.horizon:
            continue
        apply_change(g, item, at, item.assignee or item.reporter, [status_change(nxt)])
        result.updated_work_items.append(item.key)
    done = [w for w in ds.work_items if w.project == key and w.status == "Done" and w.issue_type != "Incident"]
    if done and rng.random() < 0.5:
        item = rng.choice(done[-50:])
        at = max(secs(old, rng.uniform(0.05, 0.9) * span), secs(item.updated, 60))
        if at < g.horizon:
            apply_change(g, item, at, item.reporter, [status_change("Reopened")])
            result.updated_work_items.append(item.key)
    for _ in range(count):
        kind = rng.choice(["Story", "Story", "Task", "Bug"])
        created = secs(old, rng.uniform(0.05, 0.8) * span)
        item = new_work_item(g, project, team, kind, created)
        lifecycle(g, item)
        _register_item(g, item)
        result.new_work_items.append(item.key)


def _late_deployment(g: Gen, repo: Repository, now: datetime, result: AdvanceResult) -> None:
    """A production deployment that finished between the last two successful ones, reported only now.

    It finishes before the first issue opened after the earlier one (an incident's attribution moves to it).

    Its statuses carry their past times and a last `inactive` one dated now (superseded), so a sync walking
    deployments updated since its cursor finds it and the compare data after it must be computed again.
    """
    rng, ds = g.rng, g.ds
    deps = successful_production(repo.deployments)
    if len(deps) < 2:
        return
    prev, last = deps[-2], deps[-1]
    shas = [c.sha for c in repo.main]
    if prev.sha not in shas or last.sha not in shas or prev.finished_at is None or last.finished_at is None:
        return
    low, high = shas.index(prev.sha), shas.index(last.sha)
    after = [i.created_at for i in repo.issues if prev.finished_at < i.created_at < last.finished_at]
    end = min([*after, last.finished_at])
    # A commit of main between the two (or the earlier one's own, redeployed) that existed by then.
    index = rng.choice([k for k in range(low, high + 1) if repo.main[k].committed_at < end] or [low])
    begin = max(prev.finished_at, repo.main[index].committed_at)
    room = (end - begin).total_seconds()
    if room < 240:
        return
    created = secs(begin, rng.uniform(0.1, 0.4) * room)
    done = secs(created, rng.uniform(60, 0.5 * (end - created).total_seconds()))
    statuses = [
        DeploymentStatus(0, "queued", created, "Deployment queued"),
        DeploymentStatus(0, "in_progress", secs(created, 30), "Deployment started"),
        DeploymentStatus(0, "success", done, "Deployment finished"),
        DeploymentStatus(0, "inactive", secs(now, -60), "Superseded by a newer deployment"),
    ]
    sha = repo.main[index].sha
    dep = Deployment(0, repo.full_name, sha, "main", PRODUCTION, created, g.member(ds.team(repo.team)),
                     f"Deploy {sha[:7]}", statuses)  # fmt: skip
    dep.id = ds.next_id("deployment", 3_000_000_000)
    for status in statuses:
        status.id = ds.next_id("deployment_status", 8_000_000_000)
    repo.deployments.append(dep)
    result.late_deployments.append(dep.id)


def _force_push(g: Gen, repo: Repository, pr: PullRequest, old: datetime, span: float, result: AdvanceResult) -> None:
    """Rewrite an open pull request's branch: new commits (new shas, a later first commit), pushed in the step."""
    rng = g.rng
    at = secs(old, rng.uniform(0.05, 0.5) * span)
    count = rng.randint(1, 3)
    author = pr.user
    parent = pr.commits[0].parents[0] if pr.commits and pr.commits[0].parents else repo.main[-1].sha
    commits = []
    for i in range(count):
        when = secs(at, -600 * (count - i))
        sha = sha_of(repo.full_name, "force-push", pr.number, result.now.isoformat(), i)
        commits.append(Commit(sha, "rewrite" if i else "initial work (rebased)", author, author, when, when, [parent]))
        parent = sha
    pr.commits = commits
    pr.updated_at = max(pr.updated_at, at)
    result.force_pushed_pulls.append(f"{repo.full_name}#{pr.number}")
