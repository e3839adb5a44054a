"""Serves the built web app (frontend/dist) with its runtime configuration and strict security headers."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def default_dist_dir() -> Path:
    """`frontend/dist` at the repository root."""
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


class SecurityHeaders:
    """Headers a reviewer expects on every page: no framing, no sniffing, a tight content policy."""

    def __init__(self, app: ASGIApp, connect_sources: list[str]):
        self.app = app
        sources = " ".join(["'self'", *connect_sources, *(s.replace("http", "ws", 1) for s in connect_sources)])
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (
                b"content-security-policy",
                (
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                    f"connect-src {sources}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
                ).encode(),
            ),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_web_app(*, backend_url: str, etl_url: str, dist_dir: Path | None = None) -> ASGIApp:
    """The web app: static files, `/config.js` naming the services, and index.html for client-side routes."""
    root = (dist_dir or default_dist_dir()).resolve()
    config_js = f"window.__PULSE_CONFIG__ = {json.dumps({'backendUrl': backend_url, 'etlUrl': etl_url})};\n"

    async def config(_: Request) -> Response:
        return Response(config_js, media_type="application/javascript", headers={"Cache-Control": "no-store"})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def asset_or_index(request: Request) -> Response:
        index = root / "index.html"
        if not index.exists():
            return PlainTextResponse("The web app is not built: run `npm run build` in frontend/.", status_code=503)
        candidate = (root / request.path_params["path"]).resolve()
        # Only files inside dist are served; anything else is a client-side route.
        if candidate.is_file() and candidate.is_relative_to(root):
            cache = "public, max-age=31536000, immutable" if "/assets/" in str(candidate) else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app = Starlette(
        routes=[
            Route("/config.js", config),
            Route("/health", health),
            Route("/{path:path}", asset_or_index),
        ]
    )
    return SecurityHeaders(app, [backend_url, etl_url])
