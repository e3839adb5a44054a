"""ASGI plumbing shared by both services: request ids and the log context."""

from __future__ import annotations

import re
import uuid

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulse.core.config import Settings
from pulse.core.errors import install_error_handlers

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def request_id_for(scope: Scope) -> str:
    """The request's sane `X-Request-ID`, or a new one."""
    incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
    return incoming if _ACCEPTABLE_ID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Accept a sane `X-Request-ID` or mint one, bind it to the log context, and return it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER.encode()]
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.clear_contextvars()


def bind_identity(*, client_id: object = None, user_id: object = None, session_id: object = None) -> None:
    """Add the caller's identity to the log context of the current request."""
    structlog.contextvars.bind_contextvars(
        **{k: str(v) for k, v in {"client_id": client_id, "user_id": user_id, "session_id": session_id}.items() if v}
    )


class CredentialsOnlyForAllowedOrigins:
    """Drop `Access-Control-Allow-Credentials` from answers that allow no origin.

    Starlette adds the header to every CORS answer; browsers ignore it without a matching
    `Access-Control-Allow-Origin`, but Pulse promises credentials only for configured origins, so say so.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_checked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"access-control-allow-origin" not in names:
                    headers = [(k, v) for k, v in headers if k.lower() != b"access-control-allow-credentials"]
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_checked)


def install_http_plumbing(app: FastAPI, settings: Settings) -> None:
    """What both services put around their routes: error JSON, CORS for the configured origins, request ids."""
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    # Outside CORS, so it also sees the preflight answers CORS makes by itself.
    app.add_middleware(CredentialsOnlyForAllowedOrigins)
    app.add_middleware(RequestIdMiddleware)
