"""The GitLab group's ground truth: a generated organisation seen as a group, subgroups and projects.

The group is generated like the GitHub organisation (same generator, its own seed), so merge requests,
deployments, pipelines and issues have the same realistic shapes and the same ground-truth helpers apply.
Each team is a subgroup (`group/team`), each repository a project (`group/team/name`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pulse.sim.advance import advance
from pulse.sim.dataset import generate_dataset
from pulse.sim.gen_base import sha_of
from pulse.sim.model import PRODUCTION, Commit, Deployment, PullRequest, Repository, WorkflowRun
from pulse.sim.store import Dataset, DatasetSpec

SEED_OFFSET = 1_000
GROUP_ID_OFFSET = 50_000
# Note ids of system notes live far above review and comment ids, so they never collide.
SYSTEM_NOTE_BASE = 5_000_000_000


def gitlab_spec(spec: DatasetSpec) -> DatasetSpec:
    """The GitLab group's spec: another seed, `<org>-gl` as the top-level group, half the projects (at least two,
    so there are subgroups), no Jira."""
    return replace(
        spec,
        seed=spec.seed + SEED_OFFSET,
        org=f"{spec.org}-gl",
        repos=max(2, spec.repos // 2),
        work_items_per_project=0,
    )


def generate_gitlab_dataset(spec: DatasetSpec) -> Dataset:
    """The GitLab group generated for the simulator's dataset spec."""
    return generate_dataset(gitlab_spec(spec))


def advance_gitlab(ds: Dataset, body: dict[str, Any]) -> dict[str, Any]:
    """One advance step of the group: new merge requests, deployments (and their pipelines), issues."""
    hours = float(body.get("hours", 24))
    pulls = int(body.get("new_pulls_per_repo", 2))
    result = advance(ds, hours=hours, new_pulls_per_repo=pulls, new_work_items_per_project=0, transition_fraction=0)
    return {
        "new_merge_requests": result.new_pulls,
        "updated_merge_requests": result.updated_pulls,
        "new_deployments": result.new_deployments,
        "new_issues": result.new_issues,
    }


@dataclass(frozen=True, slots=True)
class Group:
    """A group or subgroup."""

    id: int
    path: str
    full_path: str
    name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class Note:
    """A merge-request note: a review comment, a review summary, or a system note."""

    id: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime
    system: bool
    type: str | None


def group_of(ds: Dataset) -> Group:
    """The top-level group."""
    return Group(ds.org_id + GROUP_ID_OFFSET, ds.org, ds.org, ds.org.replace("-", " ").title(), None)


def subgroups(ds: Dataset) -> list[Group]:
    """One subgroup per team that owns a project."""
    top = group_of(ds)
    owners = {r.team for r in ds.repositories}
    return [
        Group(top.id + 1 + index, team.slug, f"{top.full_path}/{team.slug}", team.name, top.id)
        for index, team in enumerate(ds.teams)
        if team.slug in owners
    ]


def project_path(ds: Dataset, repo: Repository) -> str:
    """`group/team/name`."""
    return f"{ds.org}/{repo.team}/{repo.name}"


def find_group(ds: Dataset, ident: str) -> Group | None:
    """A group by id or full path (case-insensitive)."""
    for group in [group_of(ds), *subgroups(ds)]:
        if ident == str(group.id) or ident.lower() == group.full_path.lower():
            return group
    return None


def group_projects(ds: Dataset, group: Group, include_subgroups: bool) -> list[Repository]:
    """Projects directly in a group, or in it and its subgroups; by id."""
    prefix = group.full_path.lower() + "/"
    out = []
    for repo in ds.repositories:
        path = project_path(ds, repo).lower()
        if not path.startswith(prefix):
            continue
        if include_subgroups or "/" not in path[len(prefix) :]:
            out.append(repo)
    return sorted(out, key=lambda r: r.id)


def find_project(ds: Dataset, ident: str) -> Repository | None:
    """A project by numeric id or path with namespace."""
    index = ds.cached(
        "gitlab_projects",
        lambda: {
            **{str(r.id): r for r in ds.repositories},
            **{project_path(ds, r).lower(): r for r in ds.repositories},
        },
    )
    found: Repository | None = index.get(ident.lower())
    return found


def mr_notes(pr: PullRequest) -> list[Note]:
    """Notes of a merge request, oldest first: diff comments, review summaries and system notes."""
    notes = [Note(c.id, c.body, c.user, c.created_at, c.updated_at, False, "DiffNote") for c in pr.comments]
    for review in pr.reviews:
        if review.state == "APPROVED":
            body, system = "approved this merge request", True
        elif review.state == "CHANGES_REQUESTED":
            body, system = "requested changes", True
        else:
            body, system = review.body or "Left a few thoughts.", False
        ident = SYSTEM_NOTE_BASE + review.id if system else review.id
        notes.append(Note(ident, body, review.user, review.submitted_at, review.submitted_at, system, None))
    for commit in pr.commits:
        # GitLab writes a system note for every push; Pulse must ignore them.
        ident = SYSTEM_NOTE_BASE + int(sha_of("note", commit.sha)[:8], 16)
        notes.append(Note(ident, f"added 1 commit\n\n* {commit.sha[:8]} - {commit.message.splitlines()[0]}",
                          pr.user, commit.committed_at, commit.committed_at, True, None))  # fmt: skip
    return sorted(notes, key=lambda n: (n.created_at, n.id))


def approvers(pr: PullRequest) -> list[str]:
    """Users whose approval stands (in order of their latest approval)."""
    latest: dict[str, datetime] = {}
    for review in pr.reviews:
        if review.state == "APPROVED":
            latest[review.user] = review.submitted_at
    return sorted(latest, key=lambda u: latest[u])


def mr_state(pr: PullRequest) -> str:
    """GitLab's state word."""
    if pr.merged_at is not None:
        return "merged"
    return "opened" if pr.state == "open" else "closed"


DEPLOYMENT_STATUS = {"success": "success", "failure": "failed", "error": "canceled", "in_progress": "running",
                     "queued": "created", "pending": "created"}  # fmt: skip


def deployment_status(dep: Deployment) -> str:
    """GitLab's deployment status word for a simulated deployment."""
    return DEPLOYMENT_STATUS.get(dep.outcome, "created")


def pipelines(repo: Repository) -> list[WorkflowRun]:
    """Pipelines: the production deploy runs on the default branch and the merge-request pipelines, by id."""
    return [r for r in repo.workflow_runs if r.name in ("deploy", "ci")]


def pipeline_source(run: WorkflowRun) -> str:
    """`push` for default-branch pipelines, `merge_request_event` for merge-request ones."""
    return "merge_request_event" if run.event == "pull_request" else "push"


def pipeline_status(run: WorkflowRun) -> str:
    """GitLab's pipeline status word."""
    if run.status != "completed":
        return "running"
    return "success" if run.conclusion == "success" else "failed"


def environment_tier(name: str) -> str:
    """GitLab's deployment tier of an environment name."""
    return "production" if name == PRODUCTION else ("staging" if name == "staging" else "other")


def environment_id(repo: Repository, name: str) -> int:
    """Stable id of a project's environment."""
    return int(sha_of(repo.id, "environment", name)[:6], 16)


def commit_title(commit: Commit) -> str:
    """First line of a commit message."""
    return commit.message.splitlines()[0] if commit.message else ""
