"""Domain exceptions and the one place that maps them, and every other failure, to Pulse's error JSON."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class PulseError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status and stable code."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}


class NotAuthenticated(PulseError):
    """No valid credentials."""

    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Not authenticated", **kwargs: Any):
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"}, **kwargs)


class PermissionDenied(PulseError):
    """Authenticated, but not allowed."""

    status_code = 403
    code = "permission_denied"

    def __init__(self, message: str = "You do not have permission to do this", **kwargs: Any):
        super().__init__(message, **kwargs)


class NotFound(PulseError):
    """Missing, or belonging to another tenant (indistinguishable on purpose)."""

    status_code = 404
    code = "not_found"


class Conflict(PulseError):
    """The request collides with existing state (duplicate, illegal transition)."""

    status_code = 409
    code = "conflict"


class InvalidInput(PulseError):
    """Bad input that passed schema validation; names the field."""

    status_code = 422
    code = "invalid_input"


class Throttled(PulseError):
    """Too many attempts; retry after the given seconds."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


class DependencyUnavailable(PulseError):
    """A dependency (database, Backend Service) cannot be reached."""

    status_code = 503
    code = "dependency_unavailable"


def request_id_of(request: Request) -> str:
    """The request id the middleware assigned (or '-' outside a request)."""
    return str(getattr(request.state, "request_id", "-"))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build Pulse's one error shape."""
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id_of(request), **extra}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[-1] if loc else "request")


def install_error_handlers(app: FastAPI) -> None:
    """Map domain exceptions, validation errors, HTTP errors and crashes to the error shape."""

    @app.exception_handler(PulseError)
    async def _pulse_error(request: Request, exc: PulseError) -> JSONResponse:
        extra = {"field": exc.field} if exc.field else {}
        return error_response(request, exc.status_code, exc.code, exc.message, headers=exc.headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors()]
        first = fields[0] if fields else {"field": "request", "message": "invalid"}
        message = f"{first['field']}: {first['message']}"
        return error_response(request, 422, "invalid_input", message, field=first["field"], fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
        }
        return error_response(
            request,
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database_unavailable", error=type(exc.orig).__name__ if exc.orig else "unknown")
        return error_response(request, 503, "dependency_unavailable", "The database is unavailable; retry shortly")

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return error_response(request, 503, "dependency_unavailable", "The database is unavailable")
        log.exception("database_error")
        return error_response(request, 500, "internal_error", "Internal error; quote the request id to support")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return error_response(request, 500, "internal_error", "Internal error; quote the request id to support")
