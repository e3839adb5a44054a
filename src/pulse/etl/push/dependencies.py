"""The push routes' caller: the integration's push token, checked and counted in its own short transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from pulse.core.db.engine import committing
from pulse.core.errors import NotAuthenticated
from pulse.core.http import bind_identity
from pulse.etl.deps import PERMISSION_MARKER
from pulse.etl.push import tokens
from pulse.etl.push.tokens import PushCaller


def get_push_caller(request: Request, integration_id: Annotated[int, Path(ge=1)]) -> PushCaller:
    """The push token's integration and tenant; 401 unless it is the live token of the integration in the path.

    Only `Authorization: Bearer` is read (never the session cookie): a browser cannot push by accident. The
    use is counted before the push runs and committed on its own, so refused and failing pushes count too.
    """
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise NotAuthenticated(tokens.WRONG_TOKEN)
    with committing(request.app.state.session_factory()) as db_session:
        caller = tokens.use(
            db_session=db_session,
            settings=request.app.state.settings,
            token=value.strip(),
            integration_id=integration_id,
        )
    bind_identity(client_id=caller.client_id)
    return caller


# The ETL route audit requires every route to declare its access: these routes take the push token instead of
# a user's permission.
setattr(get_push_caller, PERMISSION_MARKER, ("push_token", "write"))

CurrentPushCaller = Annotated[PushCaller, Depends(get_push_caller)]
