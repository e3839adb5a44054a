"""`/api/v1/settings/*`: the tenant's metrics configuration (read: `settings:read`; change: `settings:admin`).

Routes are built per kind from its schemas, so annotations are evaluated eagerly (no `__future__` import).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, create_model

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config_service
from pulse.etl.deps import CurrentPrincipal, DbSession, PageParams, require

router = APIRouter(prefix="/settings", tags=["settings"])

RESOURCES: list[tuple[str, type[BaseModel], type[BaseModel], type[BaseModel]]] = [
    ("flow-steps", schemas.FlowStepCreate, schemas.FlowStepUpdate, schemas.FlowStepRead),
    ("status-mappings", schemas.StatusMappingCreate, schemas.StatusMappingUpdate, schemas.StatusMappingRead),
    ("hierarchy-levels", schemas.HierarchyLevelCreate, schemas.HierarchyLevelUpdate, schemas.HierarchyLevelRead),
    (
        "issue-type-mappings",
        schemas.IssueTypeMappingCreate,
        schemas.IssueTypeMappingUpdate,
        schemas.IssueTypeMappingRead,
    ),
    ("teams", schemas.TeamCreate, schemas.TeamUpdate, schemas.TeamRead),
    ("deployment-rules", schemas.DeploymentRuleCreate, schemas.DeploymentRuleUpdate, schemas.DeploymentRuleRead),
    ("incident-rules", schemas.IncidentRuleCreate, schemas.IncidentRuleUpdate, schemas.IncidentRuleRead),
]


def _add_routes(path: str, create_schema: Any, update_schema: Any, read_schema: Any) -> None:
    kind = config_service.KINDS[path]
    page_schema = create_model(f"{read_schema.__name__}Page", items=(list[read_schema], ...), total=(int, ...))
    tag = kind.label

    @router.get(f"/{path}", response_model=page_schema, dependencies=[require("settings", "read")], name=f"list {tag}")
    def list_records(
        principal: CurrentPrincipal,
        db_session: DbSession,
        page: PageParams,
        include_inactive: Annotated[bool, Query()] = False,
    ) -> dict[str, Any]:
        rows, total = config_service.list_(
            db_session=db_session,
            client_id=principal.client_id,
            kind=kind,
            include_inactive=include_inactive,
            limit=page.limit,
            offset=page.offset,
        )
        return {
            "items": [config_service.to_read(db_session=db_session, row=r) for r in rows],
            "total": total,
        }

    @router.get(
        f"/{path}/{{record_id}}",
        response_model=read_schema,
        dependencies=[require("settings", "read")],
        name=f"read {tag}",
    )
    def read_record(
        principal: CurrentPrincipal, db_session: DbSession, record_id: Annotated[int, Path(ge=1)]
    ) -> dict[str, Any]:
        row = config_service.get(db_session=db_session, client_id=principal.client_id, kind=kind, record_id=record_id)
        return config_service.to_read(db_session=db_session, row=row)

    @router.post(
        f"/{path}",
        status_code=201,
        response_model=read_schema,
        dependencies=[require("settings", "admin")],
        name=f"create {tag}",
    )
    def create_record(
        principal: CurrentPrincipal, db_session: DbSession, body: Annotated[create_schema, Body()]
    ) -> dict[str, Any]:
        row = config_service.create(db_session=db_session, client_id=principal.client_id, kind=kind, body=body)
        return config_service.to_read(db_session=db_session, row=row)

    @router.patch(
        f"/{path}/{{record_id}}",
        response_model=read_schema,
        dependencies=[require("settings", "admin")],
        name=f"update {tag}",
    )
    def update_record(
        principal: CurrentPrincipal,
        db_session: DbSession,
        record_id: Annotated[int, Path(ge=1)],
        body: Annotated[update_schema, Body()],
    ) -> dict[str, Any]:
        row = config_service.get(db_session=db_session, client_id=principal.client_id, kind=kind, record_id=record_id)
        config_service.update_(db_session=db_session, client_id=principal.client_id, kind=kind, row=row, body=body)
        return config_service.to_read(db_session=db_session, row=row)

    @router.post(
        f"/{path}/{{record_id}}/deactivate",
        response_model=read_schema,
        dependencies=[require("settings", "admin")],
        name=f"deactivate {tag}",
    )
    def deactivate_record(
        principal: CurrentPrincipal,
        db_session: DbSession,
        record_id: Annotated[int, Path(ge=1)],
        body: Annotated[schemas.Deactivate | None, Body()] = None,
    ) -> dict[str, Any]:
        row = config_service.get(db_session=db_session, client_id=principal.client_id, kind=kind, record_id=record_id)
        config_service.deactivate(
            db_session=db_session,
            client_id=principal.client_id,
            kind=kind,
            row=row,
            body=body or schemas.Deactivate(),
        )
        return config_service.to_read(db_session=db_session, row=row)

    for fn, verb in (
        (list_records, "List"),
        (read_record, "Read one"),
        (create_record, "Create a"),
        (update_record, "Change a"),
        (deactivate_record, "Deactivate (keep, reassign or cascade its dependants) a"),
    ):
        fn.__doc__ = f"{verb} {tag}{'s' if verb == 'List' else ''}."


for _path, _create, _update, _read in RESOURCES:
    _add_routes(_path, _create, _update, _read)
