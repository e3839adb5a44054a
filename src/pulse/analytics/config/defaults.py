"""The configuration a new tenant starts with (seeded lazily, or by `ensure_defaults` at tenant creation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pulse.core.db.models import (
    DeploymentRule,
    FlowStep,
    HierarchyLevel,
    IncidentRule,
    IssueTypeMapping,
    StatusMapping,
)
from pulse.core.db.models.analytics import DEFAULT_ENVIRONMENT_PATTERN

# (name, position, category, commitment point)
FLOW_STEPS = [
    ("To Do", 1, "to_do", False),
    ("In Progress", 2, "in_progress", True),
    ("In Review", 3, "in_progress", False),
    ("Done", 4, "done", False),
    ("Discarded", 5, "discarded", False),
]
STATUS_MAPPINGS = {
    "Backlog": "To Do",
    "Open": "To Do",
    "To Do": "To Do",
    "Selected for Development": "To Do",
    "Reopened": "To Do",
    "In Progress": "In Progress",
    "In Development": "In Progress",
    "In Review": "In Review",
    "Code Review": "In Review",
    "Review": "In Review",
    "Done": "Done",
    "Closed": "Done",
    "Resolved": "Done",
    "Won't Do": "Discarded",
    "Cancelled": "Discarded",
    "Rejected": "Discarded",
}
HIERARCHY_LEVELS = [("Epic", 1), ("Story", 0), ("Sub-task", -1)]
# issue type -> (work item type, hierarchy level)
ISSUE_TYPES = {
    "Epic": ("Epic", "Epic"),
    "Story": ("Story", "Story"),
    "Task": ("Task", "Story"),
    "Bug": ("Bug", "Story"),
    "Incident": ("Incident", "Story"),
    "Sub-task": ("Sub-task", "Sub-task"),
    "Subtask": ("Sub-task", "Sub-task"),
}
# Any constant works: it only has to be the same for every process seeding defaults.
SEED_LOCK = 0x504D_4554  # "PMET"


def _count(db_session: Session, model: Any, client_id: int) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model).where(model.client_id == client_id)) or 0)


def ensure_defaults(*, db_session: Session, client_id: int) -> None:
    """Seed each kind of configuration the tenant has never had (idempotent, safe under concurrency)."""
    db_session.execute(text("SELECT pg_advisory_xact_lock(:k, CAST(:c AS integer))"), {"k": SEED_LOCK, "c": client_id})
    if _count(db_session, FlowStep, client_id) == 0:
        steps = {
            name: FlowStep(client_id=client_id, name=name, position=pos, category=cat, is_commitment_point=commitment)
            for name, pos, cat, commitment in FLOW_STEPS
        }
        db_session.add_all(steps.values())
        db_session.flush()
        if _count(db_session, StatusMapping, client_id) == 0:
            db_session.add_all(
                StatusMapping(client_id=client_id, status_name=status, flow_step_id=steps[step].id)
                for status, step in STATUS_MAPPINGS.items()
            )
    if _count(db_session, HierarchyLevel, client_id) == 0:
        levels = {name: HierarchyLevel(client_id=client_id, name=name, level=level) for name, level in HIERARCHY_LEVELS}
        db_session.add_all(levels.values())
        db_session.flush()
        if _count(db_session, IssueTypeMapping, client_id) == 0:
            db_session.add_all(
                IssueTypeMapping(
                    client_id=client_id,
                    issue_type_name=issue_type,
                    work_item_type=kind,
                    hierarchy_level_id=levels[level].id,
                )
                for issue_type, (kind, level) in ISSUE_TYPES.items()
            )
    if _count(db_session, DeploymentRule, client_id) == 0:
        db_session.add(
            DeploymentRule(
                client_id=client_id,
                scope="tenant",
                source="deployment",
                environment_pattern=DEFAULT_ENVIRONMENT_PATTERN,
            )
        )
    if _count(db_session, IncidentRule, client_id) == 0:
        db_session.add(
            IncidentRule(client_id=client_id, scope="tenant", jira_issue_types=["incident"], github_labels=["incident"])
        )
    db_session.flush()
