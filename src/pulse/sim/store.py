"""The dataset container: scale knobs and the generated organisation with its look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pulse.sim.catalog import DEFAULT_ANCHOR, ISSUE_TYPES, PRIORITIES, STATUSES
from pulse.sim.model import (
    Deployment,
    Issue,
    JiraIssueType,
    JiraPriority,
    JiraProject,
    JiraStatus,
    Person,
    PullRequest,
    Repository,
    Team,
    WorkItem,
)


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """Scale knobs and seed of a generated organisation."""

    seed: int = 7
    anchor: datetime = DEFAULT_ANCHOR
    org: str = "acme"
    repos: int = 4
    teams: int = 3
    prs_per_repo: int = 120
    work_items_per_project: int = 200
    history_days: int = 365
    story_points_field: str = "customfield_10016"
    team_field: str = "customfield_10001"


@dataclass(slots=True)
class Dataset:
    """The whole generated organisation; mutable only through `pulse.sim.advance`."""

    spec: DatasetSpec
    org_id: int
    now: datetime
    people: dict[str, Person]
    teams: list[Team]
    repositories: list[Repository]
    projects: list[JiraProject]
    work_items: list[WorkItem]
    statuses: list[JiraStatus] = field(default_factory=lambda: list(STATUSES))
    issue_types: list[JiraIssueType] = field(default_factory=lambda: list(ISSUE_TYPES))
    priorities: list[JiraPriority] = field(default_factory=lambda: list(PRIORITIES))
    version: int = 0
    advances: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def org(self) -> str:
        """Organisation login."""
        return self.spec.org

    def next_id(self, kind: str, start: int = 1000) -> int:
        """Allocate the next id of one object kind."""
        value = self.counters.get(kind, start) + 1
        self.counters[kind] = value
        return value

    def touch(self) -> None:
        """Mark the data changed so cached indexes and orderings are rebuilt."""
        self.version += 1
        self._cache.clear()

    def cached(self, key: Any, build: Any) -> Any:
        """Memoise a derived structure until the next `touch`."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def repository(self, name: str) -> Repository | None:
        """Repository by short name or full name."""
        index = self.cached("repos", lambda: {r.name: r for r in self.repositories})
        return index.get(name.split("/")[-1]) if name else None

    def main_index(self, repo: Repository) -> dict[str, int]:
        """Position of each main-branch sha."""
        return self.cached(("main", repo.name), lambda: {c.sha: i for i, c in enumerate(repo.main)})

    def pull(self, repo: Repository, number: int) -> PullRequest | None:
        """Pull request by number."""
        index = self.cached(("pulls", repo.name), lambda: {p.number: p for p in repo.pulls})
        return index.get(number)

    def deployment(self, repo: Repository, deployment_id: int) -> Deployment | None:
        """Deployment by id."""
        index = self.cached(("deps", repo.name), lambda: {d.id: d for d in repo.deployments})
        return index.get(deployment_id)

    def work_item(self, key_or_id: str) -> WorkItem | None:
        """Work item by key or numeric id."""
        index = self.cached("items", lambda: _item_index(self.work_items))
        return index.get(key_or_id.upper())

    def project(self, key_or_id: str) -> JiraProject | None:
        """Jira project by key or id."""
        for project in self.projects:
            if key_or_id.upper() in (project.key, project.id):
                return project
        return None

    def team(self, slug: str) -> Team:
        """Team by slug."""
        return next(t for t in self.teams if t.slug == slug)

    def incidents(self) -> list[Issue | WorkItem]:
        """Every incident: GitHub issues labelled `incident` and Jira Incident work items."""
        out: list[Issue | WorkItem] = [i for r in self.repositories for i in r.issues if i.is_incident]
        out.extend(w for w in self.work_items if w.issue_type == "Incident")
        return out


def _item_index(items: list[WorkItem]) -> dict[str, WorkItem]:
    index: dict[str, WorkItem] = {}
    for item in items:
        index[item.key] = item
        index[str(item.id)] = item
    return index
