"""Load-or-404 dependencies for job routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from pulse.core.db.models import JobRun
from pulse.etl.deps import CurrentPrincipal, DbSession
from pulse.etl.jobs import service as job_service


def get_current_job(
    principal: CurrentPrincipal, db_session: DbSession, job_run_id: Annotated[int, Path(ge=1)]
) -> JobRun:
    """The run in the path, of the caller's tenant, or 404."""
    return job_service.get(db_session=db_session, client_id=principal.client_id, job_run_id=job_run_id)


def get_locked_job(
    principal: CurrentPrincipal, db_session: DbSession, job_run_id: Annotated[int, Path(ge=1)]
) -> JobRun:
    """The run in the path, row-locked for a control action (so it races no worker), or 404."""
    return job_service.get(db_session=db_session, client_id=principal.client_id, job_run_id=job_run_id, lock=True)


CurrentJob = Annotated[JobRun, Depends(get_current_job)]
LockedJob = Annotated[JobRun, Depends(get_locked_job)]
