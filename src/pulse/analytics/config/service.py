"""Configuration services: list, read, create, update and deactivate each kind of record of a tenant.

Every change queues a rebuild of the tenant's metric facts in the same transaction (it commits at once; the
job makes the metrics follow the new rules, and answers say `pending` until then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pulse.analytics.config import schemas
from pulse.analytics.config.defaults import ensure_defaults
from pulse.analytics.freshness.service import request_rebuild
from pulse.core.db.models import (
    DeploymentRule,
    FlowStep,
    HierarchyLevel,
    IncidentRule,
    Integration,
    IssueTypeMapping,
    JiraProject,
    Repository,
    StatusMapping,
    Team,
    TeamMember,
    TeamProject,
    TeamRepository,
)
from pulse.core.errors import Conflict, InvalidInput, NotFound

__all__ = ["KINDS", "create", "deactivate", "ensure_defaults", "get", "list_", "to_read", "update_"]


@dataclass(frozen=True)
class Kind:
    """One kind of configuration record: its model, unique name column and dependants."""

    path: str
    model: Any
    label: str
    name_column: str | None
    # (dependant model, its foreign key column to this kind)
    dependants: tuple[tuple[Any, str], ...] = field(default=())


KINDS: dict[str, Kind] = {
    "flow-steps": Kind("flow-steps", FlowStep, "flow step", "name", ((StatusMapping, "flow_step_id"),)),
    "status-mappings": Kind("status-mappings", StatusMapping, "status mapping", "status_name"),
    "hierarchy-levels": Kind(
        "hierarchy-levels", HierarchyLevel, "hierarchy level", "name", ((IssueTypeMapping, "hierarchy_level_id"),)
    ),
    "issue-type-mappings": Kind("issue-type-mappings", IssueTypeMapping, "issue type mapping", "issue_type_name"),
    "teams": Kind("teams", Team, "team", "name", ((DeploymentRule, "team_id"), (IncidentRule, "team_id"))),
    "deployment-rules": Kind("deployment-rules", DeploymentRule, "deployment rule", None),
    "incident-rules": Kind("incident-rules", IncidentRule, "incident rule", None),
}
ORDER = {
    "flow-steps": ("position", "id"),
    "status-mappings": ("status_name", "id"),
    "hierarchy-levels": ("level", "id"),
    "issue-type-mappings": ("issue_type_name", "id"),
    "teams": ("name", "id"),
    "deployment-rules": ("scope", "id"),
    "incident-rules": ("scope", "id"),
}


def list_(
    *, db_session: Session, client_id: int, kind: Kind, include_inactive: bool, limit: int, offset: int
) -> tuple[list[Any], int]:
    """The tenant's records of a kind (seeding defaults on first use), ordered, paged."""
    ensure_defaults(db_session=db_session, client_id=client_id)
    model = kind.model
    where: list[ColumnElement[bool]] = [model.client_id == client_id]
    if not include_inactive:
        where.append(model.active.is_(True))
    total = int(db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    order = [getattr(model, c) for c in ORDER[kind.path]]
    rows = db_session.scalars(select(model).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), total


def get(*, db_session: Session, client_id: int, kind: Kind, record_id: int) -> Any:
    """One record of the tenant, or 404 (also for other tenants' records)."""
    row = db_session.get(kind.model, record_id)
    if row is None or row.client_id != client_id:
        raise NotFound(f"{kind.label} {record_id} does not exist", field="id")
    return row


def _active_ref(db_session: Session, model: Any, client_id: int, ref_id: int, field_name: str, label: str) -> Any:
    row = db_session.get(model, ref_id)
    if row is None or row.client_id != client_id:
        raise InvalidInput(f"{field_name}: {label} {ref_id} does not exist", field=field_name)
    if not row.active:
        raise InvalidInput(f"{field_name}: {label} {ref_id} is inactive", field=field_name)
    return row


def _check_unique(db_session: Session, kind: Kind, client_id: int, value: str, exclude_id: int | None) -> None:
    assert kind.name_column is not None
    column = getattr(kind.model, kind.name_column)
    query = select(kind.model.id).where(
        kind.model.client_id == client_id, kind.model.active.is_(True), func.lower(column) == value.lower()
    )
    if exclude_id is not None:
        query = query.where(kind.model.id != exclude_id)
    if db_session.scalar(query) is not None:
        raise Conflict(f"an active {kind.label} named {value!r} already exists", field=kind.name_column)


def _clean(value: str, field_name: str) -> str:
    clean = value.strip()
    if not clean:
        raise InvalidInput(f"{field_name}: must not be blank", field=field_name)
    return clean


def _check_pattern(db_session: Session, pattern: str, field_name: str) -> None:
    """PostgreSQL compiles the pattern (it runs it), so Python's regex dialect is no judge."""
    try:
        with db_session.begin_nested():
            db_session.execute(text("SELECT '' ~* :p"), {"p": pattern})
    except DBAPIError as exc:
        raise InvalidInput(f"{field_name}: not a valid regular expression", field=field_name) from exc


def _words(values: list[str], field_name: str) -> list[str]:
    out: list[str] = []
    for value in values:
        clean = value.strip().lower()
        if not clean or len(clean) > 200:
            raise InvalidInput(f"{field_name}: entries must be 1 to 200 characters", field=field_name)
        if clean not in out:
            out.append(clean)
    return out


def _scope_refs(db_session: Session, client_id: int, body: Any) -> None:
    if body.scope == "tenant":
        if body.integration_id is not None:
            raise InvalidInput("integration_id: only an integration-scoped rule names one", field="integration_id")
        if body.team_id is not None:
            raise InvalidInput("team_id: only a team-scoped rule names one", field="team_id")
    elif body.scope == "integration":
        if body.integration_id is None:
            raise InvalidInput("integration_id: required for an integration-scoped rule", field="integration_id")
        if body.team_id is not None:
            raise InvalidInput("team_id: only a team-scoped rule names one", field="team_id")
        _active_ref(db_session, Integration, client_id, body.integration_id, "integration_id", "integration")
    else:
        if body.team_id is None:
            raise InvalidInput("team_id: required for a team-scoped rule", field="team_id")
        if body.integration_id is not None:
            raise InvalidInput("integration_id: only an integration-scoped rule names one", field="integration_id")
        _active_ref(db_session, Team, client_id, body.team_id, "team_id", "team")


def _check_rule_scope_free(db_session: Session, kind: Kind, client_id: int, row: Any, exclude_id: int | None) -> None:
    model = kind.model
    query = select(model.id).where(
        model.client_id == client_id,
        model.active.is_(True),
        model.scope == row.scope,
        func.coalesce(model.integration_id, 0) == (row.integration_id or 0),
        func.coalesce(model.team_id, 0) == (row.team_id or 0),
    )
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db_session.scalar(query) is not None:
        raise Conflict(f"an active {kind.label} for this scope already exists", field="scope")


def _sync_team_links(db_session: Session, team: Team, body: schemas.TeamCreate | schemas.TeamUpdate) -> None:
    client_id = team.client_id
    if body.repository_ids is not None:
        wanted = list(dict.fromkeys(body.repository_ids))
        found = set(
            db_session.scalars(
                select(Repository.id).where(
                    Repository.client_id == client_id, Repository.active.is_(True), Repository.id.in_(wanted)
                )
            )
        )
        missing = [r for r in wanted if r not in found]
        if missing:
            raise InvalidInput(f"repository_ids: unknown repositories {missing}", field="repository_ids")
        links = {
            link.repository_id: link
            for link in db_session.scalars(select(TeamRepository).where(TeamRepository.team_id == team.id))
        }
        for repository_id, link in links.items():
            link.active = repository_id in found
        for repository_id in wanted:
            if repository_id not in links:
                db_session.add(TeamRepository(client_id=client_id, team_id=team.id, repository_id=repository_id))
    if body.project_keys is not None:
        keys = list(dict.fromkeys(k.strip().upper() for k in body.project_keys if k.strip()))
        projects = db_session.scalars(
            select(JiraProject).where(
                JiraProject.client_id == client_id,
                JiraProject.active.is_(True),
                func.upper(JiraProject.key).in_(keys),
            )
        ).all()
        missing_keys = sorted(set(keys) - {p.key.upper() for p in projects})
        if missing_keys:
            raise InvalidInput(f"project_keys: unknown Jira projects {missing_keys}", field="project_keys")
        wanted_ids = {p.id for p in projects}
        plinks = {
            link.project_id: link
            for link in db_session.scalars(select(TeamProject).where(TeamProject.team_id == team.id))
        }
        for project_id, plink in plinks.items():
            plink.active = project_id in wanted_ids
        for project_id in wanted_ids - set(plinks):
            db_session.add(TeamProject(client_id=client_id, team_id=team.id, project_id=project_id))
    if body.members is not None:
        wanted_members = []
        for index, member in enumerate(body.members):
            values = (
                member.github_login.strip() if member.github_login else None,
                member.jira_account.strip() if member.jira_account else None,
                member.email.strip().lower() if member.email else None,
            )
            if not any(values):
                raise InvalidInput(
                    f"members.{index}: give a github_login, jira_account or email", field=f"members.{index}"
                )
            if values not in wanted_members:
                wanted_members.append(values)
        existing = db_session.scalars(select(TeamMember).where(TeamMember.team_id == team.id)).all()
        seen = set()
        for row in existing:
            key = (row.github_login, row.jira_account, row.email)
            row.active = key in wanted_members and key not in seen
            seen.add(key)
        for values in wanted_members:
            if values not in seen:
                db_session.add(
                    TeamMember(
                        client_id=client_id,
                        team_id=team.id,
                        github_login=values[0],
                        jira_account=values[1],
                        email=values[2],
                    )
                )
    db_session.flush()


def create(*, db_session: Session, client_id: int, kind: Kind, body: BaseModel) -> Any:
    """Create a record after checking names, references and patterns."""
    ensure_defaults(db_session=db_session, client_id=client_id)
    row: Any
    if isinstance(body, schemas.FlowStepCreate):
        name = _clean(body.name, "name")
        _check_unique(db_session, kind, client_id, name, None)
        row = FlowStep(
            client_id=client_id,
            name=name,
            position=body.position,
            category=body.category,
            is_commitment_point=body.is_commitment_point,
        )
    elif isinstance(body, schemas.StatusMappingCreate):
        name = _clean(body.status_name, "status_name")
        _check_unique(db_session, kind, client_id, name, None)
        _active_ref(db_session, FlowStep, client_id, body.flow_step_id, "flow_step_id", "flow step")
        row = StatusMapping(client_id=client_id, status_name=name, flow_step_id=body.flow_step_id)
    elif isinstance(body, schemas.HierarchyLevelCreate):
        name = _clean(body.name, "name")
        _check_unique(db_session, kind, client_id, name, None)
        row = HierarchyLevel(client_id=client_id, name=name, level=body.level)
    elif isinstance(body, schemas.IssueTypeMappingCreate):
        name = _clean(body.issue_type_name, "issue_type_name")
        _check_unique(db_session, kind, client_id, name, None)
        _active_ref(
            db_session, HierarchyLevel, client_id, body.hierarchy_level_id, "hierarchy_level_id", "hierarchy level"
        )
        row = IssueTypeMapping(
            client_id=client_id,
            issue_type_name=name,
            work_item_type=_clean(body.work_item_type, "work_item_type"),
            hierarchy_level_id=body.hierarchy_level_id,
        )
    elif isinstance(body, schemas.TeamCreate):
        name = _clean(body.name, "name")
        _check_unique(db_session, kind, client_id, name, None)
        row = Team(client_id=client_id, name=name, description=body.description.strip())
        db_session.add(row)
        db_session.flush()
        _sync_team_links(db_session, row, body)
        request_rebuild(db_session=db_session, client_id=client_id)
        return row
    elif isinstance(body, schemas.DeploymentRuleCreate):
        _scope_refs(db_session, client_id, body)
        _check_pattern(db_session, body.environment_pattern, "environment_pattern")
        if body.workflow_name_pattern is not None:
            _check_pattern(db_session, body.workflow_name_pattern, "workflow_name_pattern")
        row = DeploymentRule(
            client_id=client_id,
            scope=body.scope,
            integration_id=body.integration_id,
            team_id=body.team_id,
            source=body.source,
            environment_pattern=body.environment_pattern,
            workflow_name_pattern=body.workflow_name_pattern,
        )
        _check_rule_scope_free(db_session, kind, client_id, row, None)
    elif isinstance(body, schemas.IncidentRuleCreate):
        _scope_refs(db_session, client_id, body)
        row = IncidentRule(
            client_id=client_id,
            scope=body.scope,
            integration_id=body.integration_id,
            team_id=body.team_id,
            jira_issue_types=_words(body.jira_issue_types, "jira_issue_types"),
            github_labels=_words(body.github_labels, "github_labels"),
        )
        _check_rule_scope_free(db_session, kind, client_id, row, None)
    else:  # pragma: no cover - the router only passes the schemas above
        raise TypeError(type(body).__name__)
    db_session.add(row)
    db_session.flush()
    request_rebuild(db_session=db_session, client_id=client_id)
    return row


def update_(*, db_session: Session, client_id: int, kind: Kind, row: Any, body: BaseModel) -> Any:
    """Change the given fields of an active record (an inactive one is read-only: 409)."""
    if not row.active:
        raise Conflict(f"{kind.label} {row.id} is inactive", field="id")
    changes = body.model_dump(exclude_unset=True)
    if kind.name_column and changes.get(kind.name_column) is not None:
        changes[kind.name_column] = _clean(changes[kind.name_column], kind.name_column)
        _check_unique(db_session, kind, client_id, changes[kind.name_column], row.id)
    if changes.get("flow_step_id") is not None:
        _active_ref(db_session, FlowStep, client_id, changes["flow_step_id"], "flow_step_id", "flow step")
    if changes.get("hierarchy_level_id") is not None:
        _active_ref(
            db_session,
            HierarchyLevel,
            client_id,
            changes["hierarchy_level_id"],
            "hierarchy_level_id",
            "hierarchy level",
        )
    if changes.get("work_item_type") is not None:
        changes["work_item_type"] = _clean(changes["work_item_type"], "work_item_type")
    for pattern_field in ("environment_pattern", "workflow_name_pattern"):
        if changes.get(pattern_field) is not None:
            _check_pattern(db_session, changes[pattern_field], pattern_field)
    for list_field in ("jira_issue_types", "github_labels"):
        if changes.get(list_field) is not None:
            changes[list_field] = _words(changes[list_field], list_field)
    if isinstance(body, schemas.TeamUpdate):
        for link_field in ("repository_ids", "project_keys", "members"):
            changes.pop(link_field, None)
        _sync_team_links(db_session, row, body)
    for name, value in changes.items():
        if value is None and name not in ("workflow_name_pattern",):
            raise InvalidInput(f"{name}: must not be null", field=name)
        setattr(row, name, value)
    db_session.flush()
    request_rebuild(db_session=db_session, client_id=client_id)
    return row


def deactivate(*, db_session: Session, client_id: int, kind: Kind, row: Any, body: schemas.Deactivate) -> Any:
    """Deactivate a record; its dependants are kept (and drop out of metrics), reassigned, or deactivated too."""
    target = None
    if body.strategy == "reassign":
        if body.reassign_to_id is None:
            raise InvalidInput("reassign_to_id: required when the strategy is reassign", field="reassign_to_id")
        target = db_session.get(kind.model, body.reassign_to_id)
        if target is None or target.client_id != client_id:
            raise InvalidInput(
                f"reassign_to_id: {kind.label} {body.reassign_to_id} does not exist", field="reassign_to_id"
            )
        if not target.active or target.id == row.id:
            raise InvalidInput(
                f"reassign_to_id: {kind.label} {body.reassign_to_id} is not an active alternative",
                field="reassign_to_id",
            )
    if not row.active:
        return row
    row.active = False
    db_session.flush()
    for model, column in kind.dependants:
        fk = getattr(model, column)
        live = [model.client_id == client_id, fk == row.id, model.active.is_(True)]
        if body.strategy == "reassign" and target is not None:
            if model in (DeploymentRule, IncidentRule):
                clash = db_session.scalar(
                    select(model.id).where(model.client_id == client_id, fk == target.id, model.active.is_(True))
                )
                moving = db_session.scalar(select(model.id).where(*live))
                if clash is not None and moving is not None:
                    raise Conflict(
                        f"team {target.id} already has an active {model.__tablename__[:-1].replace('_', ' ')}",
                        field="reassign_to_id",
                    )
            db_session.execute(update(model).where(*live).values({column: target.id}))
        elif body.strategy == "cascade":
            db_session.execute(update(model).where(*live).values(active=False))
    db_session.flush()
    request_rebuild(db_session=db_session, client_id=client_id)
    return row


def to_read(*, db_session: Session, row: Any) -> dict[str, Any]:
    """The API shape of a record (a team with its repositories, projects and members)."""
    data = {c.name: getattr(row, c.name) for c in row.__table__.columns if c.name != "client_id"}
    if isinstance(row, Team):
        data["repository_ids"] = list(
            db_session.scalars(
                select(TeamRepository.repository_id)
                .where(TeamRepository.team_id == row.id, TeamRepository.active.is_(True))
                .order_by(TeamRepository.repository_id)
            )
        )
        data["project_keys"] = list(
            db_session.scalars(
                select(JiraProject.key)
                .join(TeamProject, TeamProject.project_id == JiraProject.id)
                .where(TeamProject.team_id == row.id, TeamProject.active.is_(True))
                .order_by(JiraProject.key)
            )
        )
        data["members"] = [
            {"github_login": m.github_login, "jira_account": m.jira_account, "email": m.email}
            for m in db_session.scalars(
                select(TeamMember)
                .where(TeamMember.team_id == row.id, TeamMember.active.is_(True))
                .order_by(TeamMember.id)
            )
        ]
    return data
