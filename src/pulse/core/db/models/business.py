"""Business data ingested from GitHub and Jira (migration 0005); every row is unique per tenant and integration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pulse.core.db.models.base import Base, BaseEntity, Timestamp


class IngestedMixin(BaseEntity):
    """BaseEntity plus the integration a row came from and its id there."""

    integration_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("integrations.id"), nullable=False)
    external_id: Mapped[str] = mapped_column(Text, nullable=False)


class Repository(Base, IngestedMixin):
    """A GitHub repository."""

    __tablename__ = "repositories"
    __table_args__ = (UniqueConstraint("client_id", "integration_id", "external_id", name="uq_repositories_external"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    full_name: Mapped[str] = mapped_column(Text, nullable=False)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    default_branch: Mapped[str | None] = mapped_column(Text)
    html_url: Mapped[str | None] = mapped_column(Text)
    is_private: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class PullRequest(Base, IngestedMixin):
    """A GitHub pull request with its review and rework figures."""

    __tablename__ = "pull_requests"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_pull_requests_external"),
        Index("ix_pull_requests_repo_merged", "client_id", "repository_id", "merged_at"),
        Index("ix_pull_requests_merge_sha", "client_id", "repository_id", "merge_commit_sha"),
        Index("ix_pull_requests_client_opened", "client_id", "opened_at"),
        Index("ix_pull_requests_repo_number", "client_id", "repository_id", "number"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))
    author_login: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    draft: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    merged_at: Mapped[datetime | None] = mapped_column(Timestamp)
    merge_commit_sha: Mapped[str | None] = mapped_column(Text)
    head_ref: Mapped[str | None] = mapped_column(Text)
    base_ref: Mapped[str | None] = mapped_column(Text)
    additions: Mapped[int | None] = mapped_column(Integer)
    deletions: Mapped[int | None] = mapped_column(Integer)
    changed_files: Mapped[int | None] = mapped_column(Integer)
    commits_count: Mapped[int | None] = mapped_column(Integer)
    first_commit_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_review_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_cycles: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    rework_commits: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    comments_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))


class PullRequestCommit(Base, IngestedMixin):
    """A commit of a pull request."""

    __tablename__ = "pull_request_commits"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_pull_request_commits_external"),
        Index("ix_pull_request_commits_pr", "pull_request_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    sha: Mapped[str] = mapped_column(Text, nullable=False)
    author_login: Mapped[str | None] = mapped_column(Text)
    authored_at: Mapped[datetime | None] = mapped_column(Timestamp)
    committed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    message: Mapped[str | None] = mapped_column(Text)


class PullRequestReview(Base, IngestedMixin):
    """A review of a pull request."""

    __tablename__ = "pull_request_reviews"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_pull_request_reviews_external"),
        Index("ix_pull_request_reviews_pr", "pull_request_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    reviewer_login: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)


class PullRequestComment(Base, IngestedMixin):
    """A review comment on a pull request."""

    __tablename__ = "pull_request_comments"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_pull_request_comments_external"),
        Index("ix_pull_request_comments_pr", "pull_request_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    author_login: Mapped[str | None] = mapped_column(Text)
    commented_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)


class PullRequestIssueKey(Base, IngestedMixin):
    """A Jira key found in a pull request's branch, title or body."""

    __tablename__ = "pull_request_issue_keys"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_pull_request_issue_keys_external"),
        Index("ix_pull_request_issue_keys_key", "client_id", "key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    found_in: Mapped[str] = mapped_column(Text, nullable=False)


class Commit(Base, IngestedMixin):
    """A commit reachable from a deployment."""

    __tablename__ = "commits"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_commits_external"),
        Index("ix_commits_repo_sha", "client_id", "repository_id", "sha"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    sha: Mapped[str] = mapped_column(Text, nullable=False)
    author_login: Mapped[str | None] = mapped_column(Text)
    authored_at: Mapped[datetime | None] = mapped_column(Timestamp)
    committed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    message: Mapped[str | None] = mapped_column(Text)


class Deployment(Base, IngestedMixin):
    """A deployment with its latest non-inactive status."""

    __tablename__ = "deployments"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_deployments_external"),
        Index("ix_deployments_env_finished", "client_id", "environment", "finished_at"),
        Index("ix_deployments_repo_finished", "client_id", "repository_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    environment: Mapped[str] = mapped_column(Text, nullable=False)
    sha: Mapped[str] = mapped_column(Text, nullable=False)
    ref: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    changes_computed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class DeploymentCommit(Base, IngestedMixin):
    """A commit a production deployment shipped."""

    __tablename__ = "deployment_commits"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_deployment_commits_external"),
        Index("ix_deployment_commits_deployment", "deployment_id"),
        Index("ix_deployment_commits_commit", "commit_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    deployment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("deployments.id"), nullable=False)
    commit_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("commits.id"), nullable=False)


class DeploymentPullRequest(Base, IngestedMixin):
    """A pull request a production deployment shipped first."""

    __tablename__ = "deployment_pull_requests"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_deployment_pull_requests_external"),
        Index("ix_deployment_pull_requests_deployment", "deployment_id"),
        Index("uq_deployment_pull_requests_pr", "pull_request_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    deployment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("deployments.id"), nullable=False)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)


class Release(Base, IngestedMixin):
    """A GitHub release."""

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_releases_external"),
        Index("ix_releases_repo_published", "client_id", "repository_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    tag_name: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str | None] = mapped_column(Text)
    target_commitish: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    draft: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    prerelease: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class WorkflowRun(Base, IngestedMixin):
    """A GitHub Actions workflow run."""

    __tablename__ = "workflow_runs"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_workflow_runs_external"),
        Index("ix_workflow_runs_repo_completed", "client_id", "repository_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    workflow_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(Text)
    head_sha: Mapped[str | None] = mapped_column(Text)
    head_branch: Mapped[str | None] = mapped_column(Text)
    event: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    run_started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class GithubIssue(Base, IngestedMixin):
    """A GitHub issue (not a pull request)."""

    __tablename__ = "github_issues"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_github_issues_external"),
        Index("ix_github_issues_repo_opened", "client_id", "repository_id", "opened_at"),
        Index("ix_github_issues_labels", "labels", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))
    state: Mapped[str] = mapped_column(Text, nullable=False)
    labels: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"))
    author_login: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)


class Incident(Base, IngestedMixin):
    """An incident from an incident tool (PagerDuty, Opsgenie) or pushed through the push API (migration 0008)."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_incidents_external"),
        Index("ix_incidents_client_opened", "client_id", "opened_at"),
        Index("ix_incidents_service", "client_id", "integration_id", "service_id"),
        CheckConstraint("source IN ('pagerduty', 'opsgenie', 'push')"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))
    status: Mapped[str] = mapped_column(Text, nullable=False)
    severity: Mapped[str | None] = mapped_column(Text)
    service_id: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(Text)
    repository_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("repositories.id"))
    url: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)


class JiraProject(Base, IngestedMixin):
    """A Jira project."""

    __tablename__ = "jira_projects"
    __table_args__ = (UniqueConstraint("client_id", "integration_id", "external_id", name="uq_jira_projects_external"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))


class JiraIssueType(Base, IngestedMixin):
    """A Jira issue type."""

    __tablename__ = "jira_issue_types"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_jira_issue_types_external"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    hierarchy_level: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    subtask: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class JiraStatus(Base, IngestedMixin):
    """A Jira status and its category."""

    __tablename__ = "jira_statuses"
    __table_args__ = (UniqueConstraint("client_id", "integration_id", "external_id", name="uq_jira_statuses_external"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    category_key: Mapped[str] = mapped_column(Text, nullable=False)


class WorkItem(Base, IngestedMixin):
    """A Jira work item."""

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_work_items_external"),
        Index("ix_work_items_client_key", "client_id", "key"),
        Index("ix_work_items_project_resolved", "client_id", "project_id", "resolved_at"),
        Index("ix_work_items_type_opened", "client_id", "issue_type", "opened_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jira_projects.id"), nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))
    issue_type: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    status_category: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(Text)
    labels: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"))
    parent_key: Mapped[str | None] = mapped_column(Text)
    story_points: Mapped[Decimal | None] = mapped_column(Numeric)
    team: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)


class WorkItemTransition(Base, IngestedMixin):
    """One status change of a work item, from its changelog."""

    __tablename__ = "work_item_transitions"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_work_item_transitions_external"),
        Index("ix_work_item_transitions_item_at", "client_id", "work_item_id", "transitioned_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("work_items.id"), nullable=False)
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text, nullable=False)
    transitioned_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    author: Mapped[str | None] = mapped_column(Text)
    seconds_in_from_status: Mapped[int | None] = mapped_column(BigInteger)


class WorkItemPullRequestLink(Base, IngestedMixin):
    """A work item named by a pull request."""

    __tablename__ = "work_item_pull_request_links"
    __table_args__ = (
        UniqueConstraint("client_id", "integration_id", "external_id", name="uq_work_item_pull_request_links_external"),
        Index("ix_work_item_pr_links_item", "work_item_id"),
        Index("ix_work_item_pr_links_pr", "pull_request_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("work_items.id"), nullable=False)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    found_in: Mapped[str] = mapped_column(Text, nullable=False)


class HttpCacheEntry(Base, IngestedMixin):
    """The ETag (and Link header) of a fetched source page, so an unchanged page costs a 304."""

    __tablename__ = "http_cache"
    __table_args__ = (UniqueConstraint("client_id", "integration_id", "external_id", name="uq_http_cache_external"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    etag: Mapped[str] = mapped_column(Text, nullable=False)
    link: Mapped[str | None] = mapped_column(Text)
