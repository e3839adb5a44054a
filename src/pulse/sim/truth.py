"""Ground-truth answers derived from the dataset by the DORA rules of DESIGN.md, for tests elsewhere."""

from __future__ import annotations

from bisect import bisect_right

from pulse.sim.gen_github import successful_production
from pulse.sim.model import Deployment, Issue, PullRequest, Repository, WorkItem
from pulse.sim.store import Dataset


def shipped_changes(repo: Repository) -> dict[int, list[PullRequest]]:
    """Pull requests each successful production deployment shipped first, keyed by deployment id."""
    position = {c.sha: i for i, c in enumerate(repo.main)}
    merged = sorted((position[p.merge_commit_sha], p) for p in repo.pulls if p.merge_commit_sha in position)
    out: dict[int, list[PullRequest]] = {}
    shipped_upto = 0
    for dep in successful_production(repo.deployments):
        head = position[dep.sha]
        out[dep.id] = [pr for index, pr in merged if shipped_upto < index <= head]
        shipped_upto = max(shipped_upto, head)
    return out


def lead_time_hours(pr: PullRequest, deployment: Deployment) -> float:
    """Hours from the pull request's first commit to the deployment that shipped it finishing."""
    finished = deployment.finished_at or deployment.created_at
    first = min(c.authored_at for c in pr.commits)
    return (finished - first).total_seconds() / 3600


def attributed_deployment(ds: Dataset, incident: Issue | WorkItem) -> Deployment | None:
    """Latest successful production deployment finished before the incident opened (its repo, or its team's)."""
    if isinstance(incident, Issue):
        repos = [r for r in ds.repositories if r.full_name == incident.repo]
        opened = incident.created_at
    else:
        repos = [r for r in ds.repositories if r.team == incident.team]
        opened = incident.created
    deps = successful_production([d for r in repos for d in r.deployments])
    finished = [d.finished_at or d.created_at for d in deps]
    index = bisect_right(finished, opened) - 1
    return deps[index] if index >= 0 else None
