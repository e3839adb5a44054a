"""Central auth: tokens are validated by the Backend Service; answers are cached briefly and evicted on NOTIFY."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from pulse.core.auth_cache import Owner, RevocableCache
from pulse.core.errors import DependencyUnavailable, NotAuthenticated
from pulse.core.listener import PgListener
from pulse.core.logging import get_logger
from pulse.core.security import token_digest

log = get_logger(__name__)

VALIDATE_PATH = "/api/v1/auth/validate"


@dataclass(frozen=True)
class Principal:
    """The caller, as the Backend described them: identity, tenant and effective permissions."""

    user_id: int
    client_id: int
    session_id: str
    role: str
    email: str
    permissions: frozenset[tuple[str, str]]

    def can(self, resource: str, action: str) -> bool:
        """Whether the Backend granted this (resource, action)."""
        return (resource, action) in self.permissions


def principal_from_answer(body: dict[str, Any]) -> Principal:
    """Build a Principal from the Backend's `/auth/validate` answer."""
    user = body["user"]
    return Principal(
        user_id=int(user["id"]),
        client_id=int(user["client_id"]),
        session_id=str(body["session_id"]),
        role=str(user.get("role", "")),
        email=str(user.get("email", "")),
        permissions=frozenset((str(p["resource"]), str(p["action"])) for p in body.get("permissions") or []),
    )


class AuthClient:
    """Validates tokens against the Backend over one pooled client, with a small revocable cache."""

    def __init__(
        self,
        backend_url: str,
        *,
        cache_ttl: float = 30.0,
        cache_size: int = 10_000,
        timeout: float = 5.0,
        listener: PgListener | None = None,
    ):
        self.backend_url = backend_url.rstrip("/")
        self.cache_ttl = cache_ttl
        self.timeout = timeout
        self.cache: RevocableCache[Principal] = RevocableCache(size=cache_size, enabled=cache_ttl > 0)
        self._http: httpx.AsyncClient | None = None
        if listener is not None:
            self.cache.attach(listener)

    async def start(self) -> None:
        """Open the pooled HTTP client."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.backend_url,
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 2.0)),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30),
            )

    async def stop(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def clear(self) -> None:
        """Forget every cached answer."""
        self.cache.clear()

    async def validate(self, token: str, *, request_id: str | None = None) -> Principal:
        """The token's principal; NotAuthenticated when invalid, DependencyUnavailable when the Backend is down."""
        key = token_digest(token)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        generation = self.cache.generation
        principal = await self._ask_backend(token, request_id)
        owner = Owner(session_id=principal.session_id, user_id=principal.user_id, client_id=principal.client_id)
        self.cache.put(key, principal, owner=owner, ttl=self.cache_ttl, generation=generation)
        return principal

    async def _ask_backend(self, token: str, request_id: str | None) -> Principal:
        if self._http is None:
            await self.start()
        assert self._http is not None
        headers = {"Authorization": f"Bearer {token}"}
        if request_id:
            headers["X-Request-ID"] = request_id
        try:
            response = await self._http.post(VALIDATE_PATH, headers=headers)
        except httpx.HTTPError as exc:
            log.error("backend_unreachable", error=type(exc).__name__, backend=self.backend_url)
            raise DependencyUnavailable("The authentication service is unavailable; retry shortly") from exc
        if response.status_code in (401, 403):
            log.info("auth_rejected", status=response.status_code)
            raise NotAuthenticated("The token is not valid; sign in again")
        if response.status_code != 200:
            log.error("backend_error", status=response.status_code)
            raise DependencyUnavailable("The authentication service failed; retry shortly")
        try:
            body = response.json()
            if not body.get("valid"):
                raise NotAuthenticated("The token is not valid; sign in again")
            return principal_from_answer(body)
        except (ValueError, KeyError, TypeError) as exc:
            log.error("backend_bad_answer")
            raise DependencyUnavailable("The authentication service answered unexpectedly") from exc
