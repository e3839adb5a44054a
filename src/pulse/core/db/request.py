"""The request-scoped database session both services' routes use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pulse.core.db.engine import committing


def get_db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back when it raises.

    Synchronous on purpose: the routes that use it run in the threadpool, and the commit does I/O that must
    not block the event loop. The app keeps its `session_factory` on `app.state`.
    """
    with committing(request.app.state.session_factory()) as session:
        yield session


# scope="function": commit before the response is sent, so the client never sees a success that is not
# committed yet (or never will be), and a failed commit is reported as the request's error.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]
