"""Request dependencies: the database session, the caller, and the access each route declares.

Dependencies that do no blocking I/O are `async` so FastAPI does not hop to a worker thread for them
(that hop costs more than the whole token check).

Every route declares its access with exactly one of `public()`, `authenticated_only()` or
`require(resource, action)`; a test walks the app's routes and fails on any route without one.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pulse.backend.auth import service as auth_service
from pulse.core.config import Settings
from pulse.core.db.request import DbSession as DbSession  # re-exported for the routers
from pulse.core.errors import NotAuthenticated, PermissionDenied, request_id_of
from pulse.core.http import bind_identity

ACCESS_ATTRIBUTE = "pulse_access"

_bearer = HTTPBearer(auto_error=False, description="The token from `POST /api/v1/auth/login`.")


async def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings_dep)]


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token of the request, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise NotAuthenticated()
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


async def current_principal(request: Request, token: BearerToken) -> auth_service.Principal:
    """The caller behind the bearer token (cached, or one database round trip), bound to the log context."""
    state = request.app.state
    principal = await auth_service.authenticate(
        pool=state.auth_pool, settings=state.settings, token=token, cache=state.auth_cache
    )
    bind_identity(client_id=principal.client_id, user_id=principal.user_id, session_id=principal.session_id)
    return principal


CurrentPrincipal = Annotated[auth_service.Principal, Depends(current_principal)]


def client_ip(request: Request) -> str:
    """The socket peer, or, behind a trusted proxy, the right-most untrusted `X-Forwarded-For` entry."""
    peer = request.client.host if request.client else "unknown"
    trusted = _trusted_networks(tuple(request.app.state.settings.trusted_proxies))
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop if _is_ip(hop) else peer
    return hops[0] if hops and _is_ip(hops[0]) else peer


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(value: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in networks)


async def request_meta(request: Request) -> auth_service.RequestMeta:
    """Client IP, user agent and request id of the request."""
    return auth_service.RequestMeta(
        ip=client_ip(request), user_agent=request.headers.get("user-agent"), request_id=request_id_of(request)
    )


Meta = Annotated[auth_service.RequestMeta, Depends(request_meta)]


def _mark(dependency: Any, access: str) -> DependsParam:
    setattr(dependency, ACCESS_ATTRIBUTE, access)
    return Depends(dependency)


def public() -> DependsParam:
    """Declare a route open to anyone (login, health)."""

    async def _public() -> None:
        return None

    return _mark(_public, "public")


def authenticated_only() -> DependsParam:
    """Declare a route open to any valid session, whatever its permissions."""

    async def _authenticated(principal: CurrentPrincipal) -> None:
        return None

    return _mark(_authenticated, "authenticated")


def bearer_only() -> DependsParam:
    """Declare a route that needs a genuine token but not a live session (logout stays idempotent)."""

    async def _bearer_only(token: BearerToken) -> None:
        return None

    return _mark(_bearer_only, "bearer")


def require(resource: str, action: str) -> DependsParam:
    """Declare and enforce the permission a route needs."""

    async def _require(principal: CurrentPrincipal) -> None:
        if not principal.can(resource, action):
            raise PermissionDenied(f"requires {resource}:{action}")

    _require.__name__ = f"require_{resource}_{action}"
    return _mark(_require, f"{resource}:{action}")
