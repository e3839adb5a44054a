"""`/api/v1/push/{integration_id}/...` (push token only) and push-token rotation (`integrations:admin`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response

from pulse.core.errors import Conflict, NotFound
from pulse.etl.deps import DbSession, require
from pulse.etl.integrations.dependencies import CurrentIntegration
from pulse.etl.push import PUSH_TYPE, tokens
from pulse.etl.push import service as push_service
from pulse.etl.push.dependencies import CurrentPushCaller
from pulse.etl.push.schemas import (
    DeploymentPush,
    DeploymentPushed,
    IncidentPush,
    IncidentPushed,
    IncidentResolve,
    PushTokenIssued,
    PushTokenRead,
)

router = APIRouter(prefix="/push/{integration_id}", tags=["push"])
token_router = APIRouter(prefix="/integrations/{integration_id}/push-token", tags=["integrations"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not this integration's live push token"},
    429: {"description": "Rate limited"},
}


def _created_or_ok(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.post("/deployments", response_model=DeploymentPushed, responses=_RESPONSES)
def push_deployment(
    deployment_in: DeploymentPush, caller: CurrentPushCaller, db_session: DbSession, response: Response
) -> DeploymentPushed:
    """Record a deployment (201 new, 200 when `deployment_id` was pushed before and is now updated)."""
    pushed = push_service.push_deployment(db_session=db_session, caller=caller, deployment_in=deployment_in)
    _created_or_ok(response, pushed.created)
    return pushed


@router.post("/incidents", response_model=IncidentPushed, responses=_RESPONSES)
def push_incident(
    incident_in: IncidentPush, caller: CurrentPushCaller, db_session: DbSession, response: Response
) -> IncidentPushed:
    """Record an incident (201 new, 200 when `key` was pushed before and is now updated)."""
    pushed = push_service.push_incident(db_session=db_session, caller=caller, incident_in=incident_in)
    _created_or_ok(response, pushed.created)
    return pushed


@router.post("/incidents/{key}/resolve", response_model=IncidentPushed, responses=_RESPONSES)
def resolve_incident(
    key: Annotated[str, Path()],
    caller: CurrentPushCaller,
    db_session: DbSession,
    resolve_in: Annotated[IncidentResolve | None, Body()] = None,
) -> IncidentPushed:
    """Resolve a pushed incident (404 for an unknown key; resolving it again changes nothing)."""
    return push_service.resolve_incident(
        db_session=db_session, caller=caller, key=key, resolve_in=resolve_in or IncidentResolve()
    )


def _push_integration(integration: CurrentIntegration) -> None:
    if integration.type != PUSH_TYPE:
        raise Conflict(f"integration {integration.id} is a {integration.type} integration; only push ones have tokens")


@token_router.get("", response_model=PushTokenRead, dependencies=[require("integrations", "read")])
def read_push_token(integration: CurrentIntegration, db_session: DbSession) -> PushTokenRead:
    """The live token's prefix and use (never the token itself)."""
    _push_integration(integration)
    row = tokens.current(db_session=db_session, integration_id=integration.id)
    if row is None:
        raise NotFound(f"integration {integration.id} has no live push token")
    return PushTokenRead(prefix=row.prefix, created_at=row.created_at, last_used_at=row.last_used_at)


@token_router.post("", status_code=201, response_model=PushTokenIssued, dependencies=[require("integrations", "admin")])
def rotate_push_token(integration: CurrentIntegration, db_session: DbSession) -> PushTokenIssued:
    """Issue a new push token, shown in this answer only; the previous one stops working at once."""
    _push_integration(integration)
    if not integration.active:
        raise Conflict(f"integration {integration.id} is deactivated")
    return tokens.issue(db_session=db_session, integration=integration)
