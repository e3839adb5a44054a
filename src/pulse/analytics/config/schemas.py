"""Request and response shapes of `/api/v1/settings/*`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=100)
Category = Literal["to_do", "in_progress", "done", "discarded"]
Scope = Literal["tenant", "integration", "team"]
Source = Literal["deployment", "workflow_run", "release", "pipeline", "push"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    active: bool
    created_at: datetime
    last_updated_at: datetime


class Deactivate(Strict):
    """Body of `POST /settings/<kind>/{id}/deactivate`: what happens to the record's dependants."""

    strategy: Literal["keep", "reassign", "cascade"] = "keep"
    reassign_to_id: int | None = Field(default=None, ge=1)


class FlowStepCreate(Strict):
    name: str = Name
    position: int = Field(ge=0, le=10_000)
    category: Category
    is_commitment_point: bool = False


class FlowStepUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    position: int | None = Field(default=None, ge=0, le=10_000)
    category: Category | None = None
    is_commitment_point: bool | None = None


class FlowStepRead(Row):
    name: str
    position: int
    category: str
    is_commitment_point: bool


class StatusMappingCreate(Strict):
    status_name: str = Field(min_length=1, max_length=200)
    flow_step_id: int = Field(ge=1)


class StatusMappingUpdate(Strict):
    status_name: str | None = Field(default=None, min_length=1, max_length=200)
    flow_step_id: int | None = Field(default=None, ge=1)


class StatusMappingRead(Row):
    status_name: str
    flow_step_id: int


class HierarchyLevelCreate(Strict):
    name: str = Name
    level: int = Field(ge=-10, le=10)


class HierarchyLevelUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    level: int | None = Field(default=None, ge=-10, le=10)


class HierarchyLevelRead(Row):
    name: str
    level: int


class IssueTypeMappingCreate(Strict):
    issue_type_name: str = Field(min_length=1, max_length=200)
    work_item_type: str = Name
    hierarchy_level_id: int = Field(ge=1)


class IssueTypeMappingUpdate(Strict):
    issue_type_name: str | None = Field(default=None, min_length=1, max_length=200)
    work_item_type: str | None = Field(default=None, min_length=1, max_length=100)
    hierarchy_level_id: int | None = Field(default=None, ge=1)


class IssueTypeMappingRead(Row):
    issue_type_name: str
    work_item_type: str
    hierarchy_level_id: int


class TeamMemberIn(Strict):
    github_login: str | None = Field(default=None, min_length=1, max_length=200)
    jira_account: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, min_length=3, max_length=320)


class TeamMemberRead(BaseModel):
    github_login: str | None
    jira_account: str | None
    email: str | None


class TeamCreate(Strict):
    name: str = Name
    description: str = Field(default="", max_length=2000)
    repository_ids: list[int] = Field(default_factory=list, max_length=1000)
    project_keys: list[str] = Field(default_factory=list, max_length=1000)
    members: list[TeamMemberIn] = Field(default_factory=list, max_length=1000)


class TeamUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    repository_ids: list[int] | None = Field(default=None, max_length=1000)
    project_keys: list[str] | None = Field(default=None, max_length=1000)
    members: list[TeamMemberIn] | None = Field(default=None, max_length=1000)


class TeamRead(Row):
    name: str
    description: str
    repository_ids: list[int]
    project_keys: list[str]
    members: list[TeamMemberRead]


class DeploymentRuleCreate(Strict):
    scope: Scope = "tenant"
    integration_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    source: Source = "deployment"
    environment_pattern: str = Field(default="^(prod|production)$", min_length=1, max_length=500)
    workflow_name_pattern: str | None = Field(default=None, min_length=1, max_length=500)


class DeploymentRuleUpdate(Strict):
    source: Source | None = None
    environment_pattern: str | None = Field(default=None, min_length=1, max_length=500)
    workflow_name_pattern: str | None = Field(default=None, min_length=1, max_length=500)


class DeploymentRuleRead(Row):
    scope: str
    integration_id: int | None
    team_id: int | None
    source: str
    environment_pattern: str
    workflow_name_pattern: str | None


class IncidentRuleCreate(Strict):
    scope: Scope = "tenant"
    integration_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    jira_issue_types: list[str] = Field(default_factory=lambda: ["Incident"], max_length=100)
    github_labels: list[str] = Field(default_factory=lambda: ["incident"], max_length=100)


class IncidentRuleUpdate(Strict):
    jira_issue_types: list[str] | None = Field(default=None, max_length=100)
    github_labels: list[str] | None = Field(default=None, max_length=100)


class IncidentRuleRead(Row):
    scope: str
    integration_id: int | None
    team_id: int | None
    jira_issue_types: list[str]
    github_labels: list[str]
