"""`/api/v1/integrations`: create, list, read, update, deactivate, test-connection."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from pulse.etl.deps import CurrentPrincipal, DbSession, PageParams, require
from pulse.etl.integrations import service as integration_service
from pulse.etl.integrations.dependencies import CurrentIntegration
from pulse.etl.integrations.schemas import (
    ConnectionTestResult,
    IntegrationCreate,
    IntegrationCreated,
    IntegrationPage,
    IntegrationRead,
    IntegrationUpdate,
)
from pulse.etl.push import PUSH_TYPE
from pulse.etl.push import tokens as push_tokens

router = APIRouter(prefix="/integrations", tags=["integrations"])


@router.post(
    "",
    status_code=201,
    response_model=IntegrationCreated,
    response_model_exclude_unset=True,
    dependencies=[require("integrations", "admin")],
)
def create_integration(
    integration_in: IntegrationCreate, principal: CurrentPrincipal, db_session: DbSession, request: Request
) -> IntegrationCreated:
    """Create an integration; its credentials are encrypted and never returned (a push token is shown once)."""
    integration = integration_service.create(
        db_session=db_session,
        settings=request.app.state.settings,
        client_id=principal.client_id,
        integration_in=integration_in,
    )
    created = IntegrationCreated(
        **integration_service.to_read(db_session=db_session, integration=integration).model_dump()
    )
    if integration.type == PUSH_TYPE:
        # Set only here: other types answer exactly the read shape (the route excludes unset fields).
        created.push_token = push_tokens.issue(db_session=db_session, integration=integration)
    return created


@router.get("", response_model=IntegrationPage, dependencies=[require("integrations", "read")])
def list_integrations(principal: CurrentPrincipal, db_session: DbSession, page: PageParams) -> IntegrationPage:
    """The tenant's integrations."""
    rows, total = integration_service.list_(
        db_session=db_session, client_id=principal.client_id, limit=page.limit, offset=page.offset
    )
    return IntegrationPage(
        items=[integration_service.to_read(db_session=db_session, integration=row) for row in rows], total=total
    )


@router.post("/test", response_model=ConnectionTestResult, dependencies=[require("integrations", "admin")])
async def test_integration(integration_in: IntegrationCreate, principal: CurrentPrincipal) -> ConnectionTestResult:
    """Check credentials against the source before saving (the connector's `test_connection`)."""
    config = integration_service.config_from_input(client_id=principal.client_id, integration_in=integration_in)
    ok, message = await asyncio.to_thread(integration_service.test_connection, config)
    return ConnectionTestResult(ok=ok, message=message)


@router.get("/{integration_id}", response_model=IntegrationRead, dependencies=[require("integrations", "read")])
def read_integration(integration: CurrentIntegration, db_session: DbSession) -> IntegrationRead:
    """One integration."""
    return integration_service.to_read(db_session=db_session, integration=integration)


@router.patch("/{integration_id}", response_model=IntegrationRead, dependencies=[require("integrations", "admin")])
def update_integration(
    integration: CurrentIntegration, integration_in: IntegrationUpdate, db_session: DbSession, request: Request
) -> IntegrationRead:
    """Change name, base URL, settings or credentials (credentials are write-only)."""
    integration_service.update(
        db_session=db_session,
        settings=request.app.state.settings,
        integration=integration,
        integration_in=integration_in,
    )
    return integration_service.to_read(db_session=db_session, integration=integration)


@router.post(
    "/{integration_id}/deactivate", response_model=IntegrationRead, dependencies=[require("integrations", "admin")]
)
def deactivate_integration(integration: CurrentIntegration, db_session: DbSession) -> IntegrationRead:
    """Deactivate an integration (it stops syncing; nothing is deleted)."""
    integration_service.deactivate(db_session=db_session, integration=integration)
    return integration_service.to_read(db_session=db_session, integration=integration)
