"""`POST /api/v1/auth/validate` for a token the cache already trusts, answered before the framework.

Validation is the hot path of every ETL request. A cached caller has passed every check of the full route
(signature, `exp`, session, user, tenant) and stays cached only until an auth event or its own deadline,
so its answer is the same bytes the route would build; routing and dependency solving would only add
latency. Anything else (a miss, another route, a browser request that needs CORS headers) takes the
normal path.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from pulse.backend.api import API_PREFIX
from pulse.backend.auth.service import Principal
from pulse.core.auth_cache import RevocableCache
from pulse.core.http import REQUEST_ID_HEADER, request_id_for
from pulse.core.security import token_digest

VALIDATE_PATH = f"{API_PREFIX}/auth/validate"


class CachedValidation:
    """ASGI middleware: serve cached validations, pass everything else on."""

    def __init__(self, app: ASGIApp, cache: RevocableCache[Principal]):
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == VALIDATE_PATH and scope["method"] == "POST":
            principal = self._cached_caller(scope)
            if principal is not None:
                body = principal.validate_answer
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (REQUEST_ID_HEADER.encode(), request_id_for(scope).encode()),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _cached_caller(self, scope: Scope) -> Principal | None:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is not None:
                    return None  # more than one: let the full stack decide, exactly as it always would
                authorization = value
            elif name == b"origin":
                return None  # a browser: the full stack adds the CORS headers it needs
        if authorization is None:
            return None
        scheme, _, token = authorization.partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return None
        return self.cache.get(token_digest(token.strip().decode("latin-1")))
