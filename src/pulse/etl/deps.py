"""Dependencies every ETL route uses: the caller (validated by the Backend), permissions, the DB session, paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request, WebSocket

from pulse.core.db.request import DbSession, get_db_session
from pulse.core.errors import NotAuthenticated, PermissionDenied
from pulse.core.http import bind_identity
from pulse.etl.auth_client import AuthClient, Principal
from pulse.etl.push.tokens import is_push_token

__all__ = [
    "CurrentPrincipal",
    "DbSession",
    "Page",
    "PageParams",
    "Principal",
    "get_db_session",
    "get_principal",
    "permission_of",
    "require",
    "token_from",
]

TOKEN_COOKIE = "pulse_token"
# The attribute `require` leaves on its dependency: how the route audit finds each route's permission.
PERMISSION_MARKER = "pulse_permission"


def token_from(headers: Any, cookies: Any, query: Any = None) -> str | None:
    """The bearer token from the Authorization header, else the `pulse_token` cookie, else `?token=`."""
    authorization = headers.get("authorization") or ""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return str(value.strip())
    cookie = cookies.get(TOKEN_COOKIE)
    if cookie:
        return str(cookie)
    if query is not None and query.get("token"):
        return str(query.get("token"))
    return None


def user_token(token: str | None) -> str:
    """A session token to validate; 401 without one, and for a push token (it opens the push routes only)."""
    if not token:
        raise NotAuthenticated()
    if is_push_token(token):
        raise NotAuthenticated("A push token is accepted only by the /api/v1/push routes")
    return token


def auth_client_of(app: Any) -> AuthClient:
    """The app's auth client (created by the lifespan)."""
    client: AuthClient = app.state.auth_client
    return client


async def get_principal(request: Request) -> Principal:
    """Validate the caller's token with the Backend (cached); 401 without a valid one."""
    token = user_token(token_from(request.headers, request.cookies))
    principal = await auth_client_of(request.app).validate(token, request_id=getattr(request.state, "request_id", None))
    bind_identity(client_id=principal.client_id, user_id=principal.user_id, session_id=principal.session_id)
    request.state.principal = principal
    return principal


async def websocket_principal(websocket: WebSocket, token: str | None = None) -> Principal:
    """Validate a WebSocket's token (query, cookie or header) the same way as HTTP."""
    token = user_token(token or token_from(websocket.headers, websocket.cookies, websocket.query_params))
    principal = await auth_client_of(websocket.app).validate(
        token, request_id=getattr(websocket.state, "request_id", None)
    )
    bind_identity(client_id=principal.client_id, user_id=principal.user_id, session_id=principal.session_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(resource: str, action: str) -> Any:
    """A route dependency: 403 unless the caller holds (resource, action). Use `dependencies=[require(...)]`."""

    async def check_permission(principal: CurrentPrincipal) -> Principal:
        if not principal.can(resource, action):
            raise PermissionDenied(f"You need the {resource}:{action} permission")
        return principal

    setattr(check_permission, PERMISSION_MARKER, (resource, action))
    check_permission.__name__ = f"require_{resource}_{action}"
    return Depends(check_permission)


def permission_of(call: Any) -> tuple[str, str] | None:
    """The (resource, action) a dependency made by `require` checks, else None."""
    value = getattr(call, PERMISSION_MARKER, None)
    return value if isinstance(value, tuple) else None


@dataclass
class Page:
    """Validated paging parameters."""

    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page (1-500).")] = 50,
    offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
) -> Page:
    """`limit` 1..500 (default 50) and `offset` >= 0; 422 naming the field otherwise."""
    return Page(limit=limit, offset=offset)


PageParams = Annotated[Page, Depends(get_page)]
