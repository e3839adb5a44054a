"""Metrics configuration models (per tenant): flow steps, mappings, hierarchy, teams, deployment and incident rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pulse.core.db.models.base import Base, BaseEntity, Timestamp
from pulse.core.db.models.business import WorkItem

FLOW_CATEGORIES = ("to_do", "in_progress", "done", "discarded")
RULE_SCOPES = ("tenant", "integration", "team")
DEPLOYMENT_SOURCES = ("deployment", "workflow_run", "release", "pipeline")
DEFAULT_ENVIRONMENT_PATTERN = "^(prod|production)$"

_SCOPE_CHECK = (
    "(scope = 'tenant' AND integration_id IS NULL AND team_id IS NULL)"
    " OR (scope = 'integration' AND integration_id IS NOT NULL AND team_id IS NULL)"
    " OR (scope = 'team' AND team_id IS NOT NULL AND integration_id IS NULL)"
)


def _name_index(name: str, table_column: str) -> Index:
    return Index(name, "client_id", func.lower(text(table_column)), unique=True, postgresql_where=text("active"))


class FlowStep(Base, BaseEntity):
    """A step of the tenant's workflow, ordered by position, with its category and commitment point."""

    __tablename__ = "flow_steps"
    __table_args__ = (
        _name_index("uq_flow_steps_client_name", "name"),
        Index("ix_flow_steps_client_id", "client_id"),
        CheckConstraint("length(btrim(name)) BETWEEN 1 AND 100"),
        CheckConstraint("category IN ('to_do', 'in_progress', 'done', 'discarded')"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(Text, nullable=False)
    is_commitment_point: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class StatusMapping(Base, BaseEntity):
    """A Jira status name (case-insensitive) mapped to a flow step."""

    __tablename__ = "status_mappings"
    __table_args__ = (
        _name_index("uq_status_mappings_client_status", "status_name"),
        Index("ix_status_mappings_client_id", "client_id"),
        Index("ix_status_mappings_flow_step_id", "flow_step_id"),
        CheckConstraint("length(btrim(status_name)) BETWEEN 1 AND 200"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    status_name: Mapped[str] = mapped_column(Text, nullable=False)
    flow_step_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("flow_steps.id"), nullable=False)


class HierarchyLevel(Base, BaseEntity):
    """A level of the work item hierarchy (Epic 1, Story 0, Sub-task -1, ...)."""

    __tablename__ = "hierarchy_levels"
    __table_args__ = (
        _name_index("uq_hierarchy_levels_client_name", "name"),
        Index("ix_hierarchy_levels_client_id", "client_id"),
        CheckConstraint("length(btrim(name)) BETWEEN 1 AND 100"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)


class IssueTypeMapping(Base, BaseEntity):
    """A Jira issue type name mapped to a canonical work item type and a hierarchy level."""

    __tablename__ = "issue_type_mappings"
    __table_args__ = (
        _name_index("uq_issue_type_mappings_client_type", "issue_type_name"),
        Index("ix_issue_type_mappings_client_id", "client_id"),
        Index("ix_issue_type_mappings_hierarchy_level_id", "hierarchy_level_id"),
        CheckConstraint("length(btrim(issue_type_name)) BETWEEN 1 AND 200"),
        CheckConstraint("length(btrim(work_item_type)) BETWEEN 1 AND 100"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    issue_type_name: Mapped[str] = mapped_column(Text, nullable=False)
    work_item_type: Mapped[str] = mapped_column(Text, nullable=False)
    hierarchy_level_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("hierarchy_levels.id"), nullable=False)


class Team(Base, BaseEntity):
    """A team: the repositories, Jira projects and people its metrics cover."""

    __tablename__ = "teams"
    __table_args__ = (
        _name_index("uq_teams_client_name", "name"),
        Index("ix_teams_client_id", "client_id"),
        CheckConstraint("length(btrim(name)) BETWEEN 1 AND 100"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")


class TeamRepository(Base, BaseEntity):
    """A repository a team owns."""

    __tablename__ = "team_repositories"
    __table_args__ = (
        Index("uq_team_repositories_team_repository", "team_id", "repository_id", unique=True),
        Index("ix_team_repositories_repository_id", "repository_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("teams.id"), nullable=False)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)


class TeamProject(Base, BaseEntity):
    """A Jira project a team works in."""

    __tablename__ = "team_projects"
    __table_args__ = (
        Index("uq_team_projects_team_project", "team_id", "project_id", unique=True),
        Index("ix_team_projects_project_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("teams.id"), nullable=False)
    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jira_projects.id"), nullable=False)


class TeamMember(Base, BaseEntity):
    """A person on a team, as GitHub and Jira name them."""

    __tablename__ = "team_members"
    __table_args__ = (
        Index("ix_team_members_team_id", "team_id"),
        CheckConstraint("github_login IS NOT NULL OR jira_account IS NOT NULL OR email IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("teams.id"), nullable=False)
    github_login: Mapped[str | None] = mapped_column(Text)
    jira_account: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)


def _scope_index(name: str) -> Index:
    return Index(
        name,
        "client_id",
        "scope",
        func.coalesce(text("integration_id"), 0),
        func.coalesce(text("team_id"), 0),
        unique=True,
        postgresql_where=text("active"),
    )


class DeploymentRule(Base, BaseEntity):
    """What counts as a production deployment, for the tenant, one integration or one team."""

    __tablename__ = "deployment_rules"
    __table_args__ = (
        _scope_index("uq_deployment_rules_scope"),
        CheckConstraint("scope IN ('tenant', 'integration', 'team')"),
        CheckConstraint("source IN ('deployment', 'workflow_run', 'release', 'pipeline', 'push')"),
        CheckConstraint(_SCOPE_CHECK),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    integration_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("integrations.id"))
    team_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("teams.id"))
    source: Mapped[str] = mapped_column(Text, nullable=False, server_default="deployment")
    environment_pattern: Mapped[str] = mapped_column(Text, nullable=False, server_default=DEFAULT_ENVIRONMENT_PATTERN)
    workflow_name_pattern: Mapped[str | None] = mapped_column(Text)


class IncidentRule(Base, BaseEntity):
    """What counts as an incident (Jira work item types, GitHub labels; lower-cased), per scope."""

    __tablename__ = "incident_rules"
    __table_args__ = (
        _scope_index("uq_incident_rules_scope"),
        CheckConstraint("scope IN ('tenant', 'integration', 'team')"),
        CheckConstraint(_SCOPE_CHECK),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    integration_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("integrations.id"))
    team_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("teams.id"))
    jira_issue_types: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{incident}'")
    )
    github_labels: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{incident}'"))


class MetricDeployment(Base, BaseEntity):
    """Fact: a successful production deployment under the tenant's rules (rebuilt by the refresh)."""

    __tablename__ = "metric_deployments"
    __table_args__ = (
        Index("uq_metric_deployments_deployment", "deployment_id", unique=True),
        # The drill-down's default order, so its first page is read off the index (migration 0014).
        Index(
            "ix_metric_deployments_client_finished",
            "client_id",
            text("finished_at DESC NULLS LAST"),
            text("deployment_id DESC"),
        ),
        Index("ix_metric_deployments_repo_finished", "repository_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    deployment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("deployments.id"), nullable=False)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    environment: Mapped[str] = mapped_column(Text, nullable=False)
    sha: Mapped[str] = mapped_column(Text, nullable=False)
    finished_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    changes_computed: Mapped[bool] = mapped_column(Boolean, nullable=False)


class MetricChange(Base, BaseEntity):
    """Fact: a pull request and the production deployment that first shipped it, with its lead time."""

    __tablename__ = "metric_changes"
    __table_args__ = (
        Index("uq_metric_changes_pull_request", "pull_request_id", unique=True),
        # The drill-down's default order, so its first page is read off the index (migration 0014).
        Index(
            "ix_metric_changes_client_deployed",
            "client_id",
            text("deployed_at DESC NULLS LAST"),
            text("pull_request_id DESC"),
        ),
        Index("ix_metric_changes_repo_deployed", "repository_id", "deployed_at"),
        Index("ix_metric_changes_deployment", "deployment_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    deployment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("deployments.id"), nullable=False)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    deployed_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    started_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    lead_time_hours: Mapped[float] = mapped_column(Double, nullable=False)


class MetricIncident(Base, BaseEntity):
    """Fact: an incident (GitHub issue or Jira work item) and the deployment it is attributed to."""

    __tablename__ = "metric_incidents"
    __table_args__ = (
        Index("uq_metric_incidents_source_incident", "source", "incident_id", unique=True),
        Index("ix_metric_incidents_client_opened", "client_id", "opened_at"),
        Index("ix_metric_incidents_deployment", "deployment_id"),
        CheckConstraint("source IN ('github', 'jira', 'gitlab', 'pagerduty', 'opsgenie', 'push')"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    repo_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    deployment_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("deployments.id"))
    deployment_finished_at: Mapped[datetime | None] = mapped_column(Timestamp)


class MetricPullRequest(Base, BaseEntity):
    """Fact: an active pull request with its stage durations, sizes and the deployment that first shipped it."""

    __tablename__ = "metric_pull_requests"
    __table_args__ = (
        Index("uq_metric_pull_requests_pull_request", "pull_request_id", unique=True),
        # The drill-down's default order, so its first page is read off the index.
        Index(
            "ix_metric_pull_requests_client_merged",
            "client_id",
            text("merged_at DESC NULLS LAST"),
            text("pull_request_id DESC"),
        ),
        Index("ix_metric_pull_requests_repo_merged", "client_id", "repository_id", "merged_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    pull_request_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("pull_requests.id"), nullable=False)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), nullable=False)
    merged_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reviews: Mapped[int] = mapped_column(Integer, nullable=False)
    comments: Mapped[int] = mapped_column(Integer, nullable=False)
    review_cycles: Mapped[int] = mapped_column(Integer, nullable=False)
    rework_commits: Mapped[int] = mapped_column(Integer, nullable=False)
    # Stage durations in whole microseconds (migration 0015: exact, and bigint sorts fast for the medians).
    coding_us: Mapped[int | None] = mapped_column(BigInteger)
    pickup_us: Mapped[int | None] = mapped_column(BigInteger)
    review_us: Mapped[int | None] = mapped_column(BigInteger)
    deploy_us: Mapped[int | None] = mapped_column(BigInteger)
    total_us: Mapped[int | None] = mapped_column(BigInteger)
    lines: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    deployment_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("deployments.id"))
    deployed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_commit_at: Mapped[datetime | None] = mapped_column(Timestamp)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    first_review_at: Mapped[datetime | None] = mapped_column(Timestamp)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, nullable=False)


class MetricWorkItem(Base, BaseEntity):
    """Fact: a work item with its completion, cycle and lead time, in-progress hours and reopen flag."""

    __tablename__ = "metric_work_items"
    __table_args__ = (
        Index("uq_metric_work_items_work_item", "work_item_id", unique=True),
        Index(
            "ix_metric_work_items_client_completed",
            "client_id",
            text("completed_at DESC NULLS LAST"),
            text("work_item_id DESC"),
        ),
        Index("ix_metric_work_items_project_completed", "client_id", "project_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("work_items.id"), nullable=False)
    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jira_projects.id"), nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    issue_type: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    cycle_started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    cycle_time_hours: Mapped[float | None] = mapped_column(Double)
    lead_time_hours: Mapped[float | None] = mapped_column(Double)
    active_hours: Mapped[Decimal | None] = mapped_column(Numeric)
    reopened: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class MetricWorkItemSegment(Base, BaseEntity):
    """Fact: the hours a completed work item spent in one flow step (visits summed)."""

    __tablename__ = "metric_work_item_segments"
    __table_args__ = (
        Index("ix_metric_work_item_segments_client_completed", "client_id", "completed_at"),
        Index("ix_metric_work_item_segments_project_completed", "client_id", "project_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("work_items.id"), nullable=False)
    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jira_projects.id"), nullable=False)
    completed_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    source_updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    step: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Double, nullable=False)


class MetricWorkItemWip(Base, BaseEntity):
    """Fact: an interval (started_at, ended_at] during which a work item was in an in-progress step."""

    __tablename__ = "metric_work_item_wip"
    __table_args__ = (
        Index("ix_metric_work_item_wip_client_ended", "client_id", "ended_at"),
        Index("ix_metric_work_item_wip_project_ended", "client_id", "project_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("work_items.id"), nullable=False)
    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jira_projects.id"), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    started_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)


class MetricRefreshState(Base, BaseEntity):
    """When a tenant's metric facts were last rebuilt, and which settings version the rebuild covered."""

    __tablename__ = "metric_refresh_state"
    __table_args__ = (Index("uq_metric_refresh_state_client", "client_id", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    # NULL until the first build (a settings write may create the row before it).
    refreshed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    requested_version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    built_version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    requested_at: Mapped[datetime | None] = mapped_column(Timestamp)


DIRTY_STREAMS = ("deployments", "changes", "incidents", "pull_requests", "work_items")


class MetricDirty(Base, BaseEntity):
    """A scope a write touched since the last refresh: from `since` on, its facts must be recomputed.

    Written by the source tables' triggers (migration 0009) in the writer's transaction, consumed by the refresh.
    """

    __tablename__ = "metric_dirty"
    __table_args__ = (
        Index("ix_metric_dirty_client", "client_id"),
        CheckConstraint(f"stream IN ({', '.join(repr(s) for s in DIRTY_STREAMS)})"),
        CheckConstraint("num_nonnulls(repository_id, project_id, integration_id) = 1"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    stream: Mapped[str] = mapped_column(Text, nullable=False)
    repository_id: Mapped[int | None] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    integration_id: Mapped[int | None] = mapped_column(BigInteger)
    # The one pull request / work item whose facts moved (streams `pull_requests`, `work_items`; migration
    # 0016); NULL: every row of the scope.
    row_id: Mapped[int | None] = mapped_column(BigInteger)
    since: Mapped[datetime] = mapped_column(Timestamp, nullable=False)


# Flow metrics look up recently updated work items of a tenant (the index is created by migration 0007).
Index("ix_work_items_client_updated", WorkItem.__table__.c.client_id, WorkItem.__table__.c.source_updated_at)
