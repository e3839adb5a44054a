"""Typed ground-truth objects of the simulated organisation (GitHub and Jira)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PRODUCTION = "production"
STAGING = "staging"


@dataclass(slots=True)
class Person:
    """One engineer: a GitHub user and a Jira account at once."""

    login: str
    id: int
    name: str
    email: str
    account_id: str
    team: str


@dataclass(slots=True)
class Team:
    """A team owning repositories and one Jira project."""

    slug: str
    name: str
    team_id: str
    jira_project: str
    repos: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Commit:
    """A git commit; `author`/`committer` are logins."""

    sha: str
    message: str
    author: str
    committer: str
    authored_at: datetime
    committed_at: datetime
    parents: list[str]


@dataclass(slots=True)
class Review:
    """A pull-request review (APPROVED, CHANGES_REQUESTED or COMMENTED)."""

    id: int
    user: str
    state: str
    submitted_at: datetime
    body: str
    commit_id: str


@dataclass(slots=True)
class ReviewComment:
    """A review comment on a diff line."""

    id: int
    review_id: int
    user: str
    body: str
    path: str
    line: int
    created_at: datetime
    updated_at: datetime
    commit_id: str


@dataclass(slots=True)
class PullRequest:
    """A pull request; merged ones were squash-merged into `merge_commit_sha` on main."""

    id: int
    number: int
    repo: str
    title: str
    body: str
    user: str
    state: str
    draft: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    merge_commit_sha: str | None
    merged_by: str | None
    head_ref: str
    base_ref: str
    commits: list[Commit]
    reviews: list[Review]
    comments: list[ReviewComment]
    additions: int
    deletions: int
    changed_files: int
    labels: list[str]
    jira_keys: list[str]
    issue_id: int = 0

    @property
    def merged(self) -> bool:
        """Whether the pull request was merged."""
        return self.merged_at is not None

    @property
    def head_sha(self) -> str:
        """Sha of the last commit of the head branch."""
        return self.commits[-1].sha


@dataclass(slots=True)
class DeploymentStatus:
    """One status of a deployment (queued, in_progress, success, failure, error, inactive)."""

    id: int
    state: str
    created_at: datetime
    description: str


@dataclass(slots=True)
class Deployment:
    """A GitHub deployment of one main-branch commit to an environment; statuses oldest first."""

    id: int
    repo: str
    sha: str
    ref: str
    environment: str
    created_at: datetime
    creator: str
    description: str
    statuses: list[DeploymentStatus]

    @property
    def outcome(self) -> str:
        """Latest status state, ignoring `inactive` (GitHub adds it when superseded)."""
        for status in reversed(self.statuses):
            if status.state != "inactive":
                return status.state
        return "pending"

    @property
    def finished_at(self) -> datetime | None:
        """Time of the latest non-inactive terminal status."""
        for status in reversed(self.statuses):
            if status.state in ("success", "failure", "error"):
                return status.created_at
        return None

    @property
    def updated_at(self) -> datetime:
        """Time of the latest status."""
        return self.statuses[-1].created_at if self.statuses else self.created_at


@dataclass(slots=True)
class Release:
    """A published release pointing at a deployed commit."""

    id: int
    repo: str
    tag_name: str
    name: str
    target_commitish: str
    created_at: datetime
    published_at: datetime
    author: str
    draft: bool
    prerelease: bool
    body: str


@dataclass(slots=True)
class WorkflowRun:
    """A GitHub Actions run: `ci` per pull request, `deploy` (production) or `deploy-staging` per deployment."""

    id: int
    repo: str
    name: str
    workflow_id: int
    path: str
    display_title: str
    event: str
    head_branch: str
    head_sha: str
    status: str
    conclusion: str | None
    created_at: datetime
    updated_at: datetime
    run_started_at: datetime
    run_number: int
    actor: str
    deployment_id: int | None = None
    pull_number: int | None = None


@dataclass(slots=True)
class Issue:
    """A GitHub issue; incidents carry the `incident` label and their ground-truth deployment."""

    id: int
    number: int
    repo: str
    title: str
    body: str
    user: str
    state: str
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    deployment_id: int | None = None

    @property
    def is_incident(self) -> bool:
        """Whether the issue carries an `incident` label (any case)."""
        return any(label.lower() == "incident" for label in self.labels)


@dataclass(slots=True)
class Repository:
    """A repository with its whole history; `main` is the linear default branch, oldest first."""

    id: int
    name: str
    full_name: str
    owner: str
    team: str
    description: str
    language: str
    created_at: datetime
    default_branch: str
    main: list[Commit] = field(default_factory=list)
    pulls: list[PullRequest] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    workflow_runs: list[WorkflowRun] = field(default_factory=list)
    next_number: int = 1

    @property
    def pushed_at(self) -> datetime:
        """Time of the latest commit on main."""
        return self.main[-1].committed_at if self.main else self.created_at


@dataclass(frozen=True, slots=True)
class JiraStatus:
    """A workflow status; `category` is new, indeterminate or done."""

    id: str
    name: str
    category: str


@dataclass(frozen=True, slots=True)
class JiraIssueType:
    """A Jira issue type with its hierarchy level."""

    id: str
    name: str
    hierarchy_level: int
    description: str


@dataclass(frozen=True, slots=True)
class JiraPriority:
    """A Jira priority."""

    id: str
    name: str


@dataclass(slots=True)
class JiraProject:
    """A Jira project owned by one team."""

    id: str
    key: str
    name: str
    team: str
    lead: str


@dataclass(slots=True)
class ChangeItem:
    """One field change inside a changelog history."""

    field: str
    fieldtype: str
    field_id: str
    from_id: str | None
    from_string: str | None
    to_id: str | None
    to_string: str | None


@dataclass(slots=True)
class ChangeHistory:
    """One changelog entry: who changed what when."""

    id: int
    author: str
    created: datetime
    items: list[ChangeItem]


@dataclass(slots=True)
class WorkItem:
    """A Jira work item with its full changelog (oldest first)."""

    id: int
    key: str
    project: str
    issue_type: str
    summary: str
    status: str
    priority: str
    assignee: str | None
    reporter: str
    labels: list[str]
    parent_key: str | None
    story_points: float | None
    team: str
    created: datetime
    updated: datetime
    resolved: datetime | None
    histories: list[ChangeHistory]
    deployment_id: int | None = None

    @property
    def transitions(self) -> list[tuple[datetime, str | None, str | None]]:
        """Status transitions as (time, from status name, to status name)."""
        out = []
        for history in self.histories:
            for item in history.items:
                if item.field == "status":
                    out.append((history.created, item.from_string, item.to_string))
        return out
