"""Metrics configuration: defaults, validation, case-insensitive names, deactivation strategies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config
from pulse.analytics.dora import service as dora
from pulse.analytics.freshness import service as freshness_service
from pulse.analytics.period import Filters, parse_period
from pulse.core.db.models import FlowStep, IssueTypeMapping, StatusMapping
from pulse.core.errors import Conflict, InvalidInput, NotFound
from tests.analytics.seed import Seed, at

K = config.KINDS


def items(db_session: Session, seed: Seed, kind: str, include_inactive: bool = False) -> list[dict[str, Any]]:
    rows, total = config.list_(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K[kind],
        include_inactive=include_inactive,
        limit=500,
        offset=0,
    )
    assert total == len(rows)
    return [config.to_read(db_session=db_session, row=r) for r in rows]


def test_defaults_are_seeded_once_on_first_use(db_session: Session, seed: Seed) -> None:
    steps = items(db_session, seed, "flow-steps")
    assert [(s["name"], s["category"], s["is_commitment_point"]) for s in steps] == [
        ("To Do", "to_do", False),
        ("In Progress", "in_progress", True),
        ("In Review", "in_progress", False),
        ("Done", "done", False),
        ("Discarded", "discarded", False),
    ]
    mappings = {m["status_name"]: m["flow_step_id"] for m in items(db_session, seed, "status-mappings")}
    by_name = {s["name"]: s["id"] for s in steps}
    assert mappings["In Review"] == by_name["In Review"]
    assert mappings["Reopened"] == by_name["To Do"]
    levels = {h["name"]: h["level"] for h in items(db_session, seed, "hierarchy-levels")}
    assert levels == {"Epic": 1, "Story": 0, "Sub-task": -1}
    types = {m["issue_type_name"]: m["work_item_type"] for m in items(db_session, seed, "issue-type-mappings")}
    assert types["Incident"] == "Incident"
    [rule] = items(db_session, seed, "deployment-rules")
    assert (rule["scope"], rule["source"], rule["environment_pattern"]) == (
        "tenant",
        "deployment",
        "^(prod|production)$",
    )
    [incident_rule] = items(db_session, seed, "incident-rules")
    assert (incident_rule["jira_issue_types"], incident_rule["github_labels"]) == (["incident"], ["incident"])
    # A second use seeds nothing more, even after the user deactivated every step.
    for step in steps:
        config.deactivate(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["flow-steps"],
            row=config.get(db_session=db_session, client_id=seed.client_id, kind=K["flow-steps"], record_id=step["id"]),
            body=schemas.Deactivate(strategy="keep"),
        )
    assert items(db_session, seed, "flow-steps") == []
    assert db_session.scalar(select(func.count()).select_from(FlowStep)) == 5


def test_names_are_unique_case_insensitively_among_active_rows(db_session: Session, seed: Seed) -> None:
    items(db_session, seed, "flow-steps")
    with pytest.raises(Conflict) as exc:
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["flow-steps"],
            body=schemas.FlowStepCreate(name="in progress", position=9, category="in_progress"),
        )
    assert exc.value.field == "name"
    with pytest.raises(Conflict):
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["status-mappings"],
            body=schemas.StatusMappingCreate(status_name="DONE", flow_step_id=1),
        )


def test_references_must_be_active_rows_of_the_tenant(db_session: Session, seed: Seed, other_seed: Seed) -> None:
    theirs = items(db_session, other_seed, "flow-steps")[0]["id"]
    with pytest.raises(InvalidInput) as exc:
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["status-mappings"],
            body=schemas.StatusMappingCreate(status_name="Blocked", flow_step_id=theirs),
        )
    assert exc.value.field == "flow_step_id"
    with pytest.raises(NotFound):
        config.get(db_session=db_session, client_id=seed.client_id, kind=K["flow-steps"], record_id=theirs)
    with pytest.raises(InvalidInput) as exc:
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["deployment-rules"],
            body=schemas.DeploymentRuleCreate(scope="team"),
        )
    assert exc.value.field == "team_id"
    with pytest.raises(InvalidInput) as exc:
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["deployment-rules"],
            body=schemas.DeploymentRuleCreate(
                scope="integration", integration_id=seed.github, environment_pattern="(["
            ),
        )
    assert exc.value.field == "environment_pattern"
    with pytest.raises(Conflict):  # the seeded tenant default already exists
        config.create(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["deployment-rules"],
            body=schemas.DeploymentRuleCreate(scope="tenant"),
        )


def _step(db_session: Session, seed: Seed, name: str) -> Any:
    steps = {s["name"]: s["id"] for s in items(db_session, seed, "flow-steps")}
    return config.get(db_session=db_session, client_id=seed.client_id, kind=K["flow-steps"], record_id=steps[name])


def test_deactivate_reassign_needs_an_active_target_of_the_tenant(
    db_session: Session, seed: Seed, other_seed: Seed
) -> None:
    review = _step(db_session, seed, "In Review")
    theirs = items(db_session, other_seed, "flow-steps")[0]["id"]
    for body in (
        schemas.Deactivate(strategy="reassign"),
        schemas.Deactivate(strategy="reassign", reassign_to_id=theirs),
        schemas.Deactivate(strategy="reassign", reassign_to_id=review.id),
    ):
        with pytest.raises(InvalidInput) as exc:
            config.deactivate(
                db_session=db_session, client_id=seed.client_id, kind=K["flow-steps"], row=review, body=body
            )
        assert exc.value.field == "reassign_to_id"
    done = _step(db_session, seed, "Done")
    config.deactivate(
        db_session=db_session, client_id=seed.client_id, kind=K["flow-steps"], row=done, body=schemas.Deactivate()
    )
    with pytest.raises(InvalidInput):
        config.deactivate(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["flow-steps"],
            row=review,
            body=schemas.Deactivate(strategy="reassign", reassign_to_id=done.id),
        )
    assert review.active


def test_deactivation_strategies_for_dependants(db_session: Session, seed: Seed) -> None:
    review = _step(db_session, seed, "In Review")
    progress = _step(db_session, seed, "In Progress")

    def review_mappings(step_id: int, active: bool = True) -> set[str]:
        return set(
            db_session.scalars(
                select(StatusMapping.status_name).where(
                    StatusMapping.flow_step_id == step_id, StatusMapping.active.is_(active)
                )
            )
        )

    assert review_mappings(review.id) == {"In Review", "Code Review", "Review"}
    config.deactivate(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["flow-steps"],
        row=review,
        body=schemas.Deactivate(strategy="reassign", reassign_to_id=progress.id),
    )
    assert not review.active
    assert review_mappings(review.id) == set()
    assert {"In Review", "Code Review", "Review", "In Progress"} <= review_mappings(progress.id)
    # Cascade: the level's issue type mappings go inactive with it.
    levels = {h["name"]: h["id"] for h in items(db_session, seed, "hierarchy-levels")}
    epic = config.get(
        db_session=db_session, client_id=seed.client_id, kind=K["hierarchy-levels"], record_id=levels["Epic"]
    )
    config.deactivate(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["hierarchy-levels"],
        row=epic,
        body=schemas.Deactivate(strategy="cascade"),
    )
    epic_mapping = db_session.scalars(
        select(IssueTypeMapping).where(
            IssueTypeMapping.client_id == seed.client_id, IssueTypeMapping.issue_type_name == "Epic"
        )
    ).one()
    assert not epic_mapping.active
    # Keep: the Story level's mappings stay active but point at an inactive level.
    story = config.get(
        db_session=db_session, client_id=seed.client_id, kind=K["hierarchy-levels"], record_id=levels["Story"]
    )
    config.deactivate(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["hierarchy-levels"],
        row=story,
        body=schemas.Deactivate(),
    )
    incident_mapping = db_session.scalars(
        select(IssueTypeMapping).where(
            IssueTypeMapping.client_id == seed.client_id, IssueTypeMapping.issue_type_name == "Incident"
        )
    ).one()
    assert incident_mapping.active and incident_mapping.hierarchy_level_id == story.id


def test_deactivated_incident_mapping_chain_is_excluded_from_dora(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/api")
    project = seed.project("OPS")
    team = seed.team("Ops", repos=(repo,), projects=(project,))
    dep = seed.deployment(repo, at(3, 2, 12))
    seed.work_item(project, "OPS-1", issue_type="Incident", opened_at=at(3, 2, 13), resolved_at=at(3, 2, 15))
    period = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)
    filters = Filters(client_id=seed.client_id, team_id=team)

    def cfr() -> Any:
        return dora.summary(db_session=db_session, period=period, filters=filters)["change_failure_rate"]

    levels = {h["name"]: h["id"] for h in items(db_session, seed, "hierarchy-levels")}  # seeds the defaults
    assert cfr()["failed_deployments"] == 1
    story = config.get(
        db_session=db_session, client_id=seed.client_id, kind=K["hierarchy-levels"], record_id=levels["Story"]
    )
    config.deactivate(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["hierarchy-levels"],
        row=story,
        body=schemas.Deactivate(),
    )
    assert cfr()["failed_deployments"] == 1  # the write only queued the rebuild
    freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)  # what the queued job runs
    assert cfr() == {"rate": 0.0, "failed_deployments": 0, "deployments": 1, "level": "elite"}
    assert dep


def test_team_links_repositories_projects_and_members(db_session: Session, seed: Seed) -> None:
    a = seed.repo("acme/a")
    b = seed.repo("acme/b")
    seed.project("PAY")
    team = config.create(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["teams"],
        body=schemas.TeamCreate(
            name="Payments",
            repository_ids=[a, b],
            project_keys=["pay"],
            members=[schemas.TeamMemberIn(github_login="alice", email="Alice@Example.com")],
        ),
    )
    read = config.to_read(db_session=db_session, row=team)
    assert (read["repository_ids"], read["project_keys"]) == ([a, b], ["PAY"])
    assert read["members"] == [{"github_login": "alice", "jira_account": None, "email": "alice@example.com"}]
    config.update_(
        db_session=db_session,
        client_id=seed.client_id,
        kind=K["teams"],
        row=team,
        body=schemas.TeamUpdate(repository_ids=[b], name="Payments Core"),
    )
    read = config.to_read(db_session=db_session, row=team)
    assert (read["name"], read["repository_ids"], read["project_keys"]) == ("Payments Core", [b], ["PAY"])
    with pytest.raises(InvalidInput) as exc:
        config.update_(
            db_session=db_session,
            client_id=seed.client_id,
            kind=K["teams"],
            row=team,
            body=schemas.TeamUpdate(project_keys=["NOPE"]),
        )
    assert exc.value.field == "project_keys"
