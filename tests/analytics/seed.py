"""A small builder that inserts business rows straight into the tables (the data model, not a mock)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text

_ext = itertools.count(1)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Seed:
    """Rows of one tenant; every insert commits so services on any connection see it."""

    def __init__(self, engine: Engine, client_id: int):
        self.engine = engine
        self.client_id = client_id
        self._github: int | None = None
        self._jira: int | None = None

    def _insert(self, table: str, values: dict[str, Any], *, business: bool = True) -> int:
        row = {"client_id": self.client_id, **values}
        if business:
            row.setdefault("external_id", f"x{next(_ext)}")
        cols = ", ".join(row)
        binds = ", ".join(f":{c}" for c in row)
        with self.engine.begin() as conn:
            return int(
                conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({binds}) RETURNING id"), row).scalar_one()
            )

    def execute(self, sql: str, **bound: Any) -> None:
        """Run a statement (e.g. a deactivation) and commit."""
        with self.engine.begin() as conn:
            conn.execute(text(sql), bound)

    def integration(self, kind: str = "github") -> int:
        """An integration of this tenant."""
        return self._insert(
            "integrations", {"type": kind, "name": kind.title(), "base_url": "http://127.0.0.1:1"}, business=False
        )

    @property
    def github(self) -> int:
        if self._github is None:
            self._github = self.integration("github")
        return self._github

    @property
    def jira(self) -> int:
        if self._jira is None:
            self._jira = self.integration("jira")
        return self._jira

    def repo(self, full_name: str, integration_id: int | None = None) -> int:
        owner, name = full_name.split("/")
        return self._insert(
            "repositories",
            {"integration_id": integration_id or self.github, "full_name": full_name, "owner": owner, "name": name},
        )

    def pr(
        self,
        repo: int,
        number: int,
        *,
        opened_at: datetime,
        merged_at: datetime | None = None,
        first_commit_at: datetime | None = None,
        first_review_at: datetime | None = None,
        **extra: Any,
    ) -> int:
        values: dict[str, Any] = {
            "integration_id": self.github,
            "repository_id": repo,
            "number": number,
            "title": f"PR {number}",
            "author_login": extra.pop("author_login", "dev"),
            "state": "merged" if merged_at else extra.pop("state", "open"),
            "opened_at": opened_at,
            "source_updated_at": merged_at or opened_at,
            "merged_at": merged_at,
            "closed_at": merged_at,
            "first_commit_at": first_commit_at,
            "first_review_at": first_review_at,
            "merge_commit_sha": f"m{number}" if merged_at else None,
        }
        values.update(extra)
        return self._insert("pull_requests", values)

    def deployment(
        self,
        repo: int,
        finished_at: datetime,
        *,
        environment: str = "production",
        status: str = "success",
        source: str = "deployment",
        changes_computed: bool = True,
        prs: tuple[int, ...] = (),
        sha: str | None = None,
    ) -> int:
        dep = self._insert(
            "deployments",
            {
                "integration_id": self.github,
                "repository_id": repo,
                "environment": environment,
                "sha": sha or f"s{next(_ext)}",
                "source": source,
                "status": status,
                "started_at": finished_at,
                "finished_at": finished_at,
                "source_updated_at": finished_at,
                "changes_computed": changes_computed,
            },
        )
        for pr in prs:
            self._insert(
                "deployment_pull_requests", {"integration_id": self.github, "deployment_id": dep, "pull_request_id": pr}
            )
        return dep

    def gh_issue(
        self,
        repo: int,
        number: int,
        opened_at: datetime,
        closed_at: datetime | None = None,
        labels: tuple[str, ...] = ("incident",),
    ) -> int:
        return self._insert(
            "github_issues",
            {
                "integration_id": self.github,
                "repository_id": repo,
                "number": number,
                "title": f"Issue {number}",
                "state": "closed" if closed_at else "open",
                "labels": list(labels),
                "opened_at": opened_at,
                "closed_at": closed_at,
                "source_updated_at": closed_at or opened_at,
            },
        )

    def project(self, key: str) -> int:
        return self._insert("jira_projects", {"integration_id": self.jira, "key": key, "name": key})

    def work_item(
        self,
        project: int,
        key: str,
        *,
        issue_type: str = "Story",
        status: str = "To Do",
        opened_at: datetime,
        resolved_at: datetime | None = None,
        team: str | None = None,
        status_category: str | None = None,
        updated_at: datetime | None = None,
    ) -> int:
        return self._insert(
            "work_items",
            {
                "integration_id": self.jira,
                "project_id": project,
                "key": key,
                "summary": f"Item {key}",
                "issue_type": issue_type,
                "status": status,
                "status_category": status_category,
                "opened_at": opened_at,
                "resolved_at": resolved_at,
                "source_updated_at": updated_at or resolved_at or opened_at,
                "team": team,
            },
        )

    def transition(self, item: int, from_status: str | None, to_status: str, when: datetime) -> int:
        return self._insert(
            "work_item_transitions",
            {
                "integration_id": self.jira,
                "work_item_id": item,
                "from_status": from_status,
                "to_status": to_status,
                "transitioned_at": when,
            },
        )

    def team(self, name: str, repos: tuple[int, ...] = (), projects: tuple[int, ...] = ()) -> int:
        team = self._insert("teams", {"name": name}, business=False)
        for repo in repos:
            self._insert("team_repositories", {"team_id": team, "repository_id": repo}, business=False)
        for project in projects:
            self._insert("team_projects", {"team_id": team, "project_id": project}, business=False)
        return team
