"""Response shapes of the data read-back routes: `{items, total}` pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

PullRequestState = Literal["open", "closed", "merged"]
DeploymentSource = Literal["deployment", "workflow_run", "release", "pipeline"]


class RowRead(BaseModel):
    """Columns every ingested row has."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    integration_id: int
    external_id: str


class RepositoryRead(RowRead):
    """A repository."""

    full_name: str
    owner: str
    name: str
    default_branch: str | None
    html_url: str | None
    is_private: bool


class PullRequestRead(RowRead):
    """A pull request with its review figures."""

    repository_id: int
    number: int
    title: str
    author_login: str | None
    state: str
    draft: bool
    opened_at: datetime
    source_updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    merge_commit_sha: str | None
    head_ref: str | None
    base_ref: str | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    commits_count: int | None
    first_commit_at: datetime | None
    first_review_at: datetime | None
    review_cycles: int
    rework_commits: int
    reviews_count: int
    comments_count: int


class DeploymentRead(RowRead):
    """A deployment to any environment."""

    repository_id: int
    environment: str
    sha: str
    ref: str | None
    source: str
    status: str | None
    started_at: datetime
    finished_at: datetime | None


class WorkItemRead(RowRead):
    """A Jira work item."""

    project_id: int
    project_key: str
    key: str
    summary: str
    issue_type: str
    status: str
    status_category: str | None
    priority: str | None
    assignee: str | None
    labels: list[str]
    parent_key: str | None
    story_points: Decimal | None
    team: str | None
    opened_at: datetime
    source_updated_at: datetime
    resolved_at: datetime | None


class RepositoryPage(BaseModel):
    """A page of repositories."""

    items: list[RepositoryRead]
    total: int


class PullRequestPage(BaseModel):
    """A page of pull requests."""

    items: list[PullRequestRead]
    total: int


class DeploymentPage(BaseModel):
    """A page of deployments."""

    items: list[DeploymentRead]
    total: int


class WorkItemPage(BaseModel):
    """A page of work items."""

    items: list[WorkItemRead]
    total: int
