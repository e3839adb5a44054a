"""`GET /repositories`, `/pull-requests`, `/deployments`, `/work-items`: the tenant's ingested data, paginated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pulse.etl.data import service as data_service
from pulse.etl.data.schemas import (
    DeploymentPage,
    DeploymentSource,
    PullRequestPage,
    PullRequestState,
    RepositoryPage,
    WorkItemPage,
)
from pulse.etl.deps import CurrentPrincipal, DbSession, PageParams, require

router = APIRouter(tags=["data"], dependencies=[require("dashboards", "read")])


@router.get("/repositories", response_model=RepositoryPage)
def list_repositories(principal: CurrentPrincipal, db_session: DbSession, page: PageParams) -> RepositoryPage:
    """Repositories ingested for the caller's tenant."""
    items, total = data_service.list_repositories(
        db_session=db_session, client_id=principal.client_id, limit=page.limit, offset=page.offset
    )
    return RepositoryPage.model_validate({"items": items, "total": total})


@router.get("/pull-requests", response_model=PullRequestPage)
def list_pull_requests(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: PageParams,
    repository_id: Annotated[int | None, Query(ge=1)] = None,
    state: PullRequestState | None = None,
) -> PullRequestPage:
    """Pull requests, filtered by repository and state."""
    items, total = data_service.list_pull_requests(
        db_session=db_session,
        client_id=principal.client_id,
        repository_id=repository_id,
        state=state,
        limit=page.limit,
        offset=page.offset,
    )
    return PullRequestPage.model_validate({"items": items, "total": total})


@router.get("/deployments", response_model=DeploymentPage)
def list_deployments(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: PageParams,
    environment: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    repository_id: Annotated[int | None, Query(ge=1)] = None,
    source: DeploymentSource | None = None,
) -> DeploymentPage:
    """Deployments to every environment, filtered by environment, repository and source."""
    items, total = data_service.list_deployments(
        db_session=db_session,
        client_id=principal.client_id,
        environment=environment,
        repository_id=repository_id,
        source=source,
        limit=page.limit,
        offset=page.offset,
    )
    return DeploymentPage.model_validate({"items": items, "total": total})


@router.get("/work-items", response_model=WorkItemPage)
def list_work_items(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: PageParams,
    project: Annotated[str | None, Query(min_length=1, max_length=100, description="A Jira project key.")] = None,
) -> WorkItemPage:
    """Jira work items, filtered by project key."""
    items, total = data_service.list_work_items(
        db_session=db_session, client_id=principal.client_id, project=project, limit=page.limit, offset=page.offset
    )
    return WorkItemPage.model_validate({"items": items, "total": total})
