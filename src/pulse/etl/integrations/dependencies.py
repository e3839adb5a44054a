"""Load-or-404 dependencies for integration routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from pulse.core.db.models import Integration
from pulse.etl.deps import CurrentPrincipal, DbSession
from pulse.etl.integrations import service as integration_service


def get_current_integration(
    principal: CurrentPrincipal, db_session: DbSession, integration_id: Annotated[int, Path(ge=1)]
) -> Integration:
    """The integration in the path, of the caller's tenant, or 404."""
    return integration_service.get(db_session=db_session, client_id=principal.client_id, integration_id=integration_id)


CurrentIntegration = Annotated[Integration, Depends(get_current_integration)]
