"""Auth routes: login, logout, validate, me, change password, current session, invalidate session."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pulse.backend.auth import schemas
from pulse.backend.auth import service as auth_service
from pulse.backend.deps import (
    AppSettings,
    BearerToken,
    CurrentPrincipal,
    DbSession,
    Meta,
    authenticated_only,
    bearer_only,
    public,
)
from pulse.backend.schemas import UserBrief, permission_list

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/login",
    response_model=schemas.LoginResponse,
    dependencies=[public()],
    responses={401: {"description": "Bad credentials"}, 429: {"description": "Throttled; see Retry-After"}},
)
async def login(body: schemas.LoginRequest, request: Request, settings: AppSettings, meta: Meta) -> Response:
    """Check credentials and open a new session (a new id and token every time)."""
    result = await auth_service.login(
        pool=request.app.state.auth_pool, settings=settings, email=body.email, password=body.password, meta=meta
    )
    return Response(result.answer, media_type="application/json")


def _logout(db_session: DbSession, settings: AppSettings, token: BearerToken, meta: Meta) -> schemas.LogoutResponse:
    session_id = auth_service.logout(db_session=db_session, settings=settings, token=token, meta=meta)
    return schemas.LogoutResponse(session_id=session_id)


@router.post("/auth/logout", response_model=schemas.LogoutResponse, dependencies=[bearer_only()])
def logout(db_session: DbSession, settings: AppSettings, token: BearerToken, meta: Meta) -> schemas.LogoutResponse:
    """End the caller's session; calling it again is harmless."""
    return _logout(db_session, settings, token, meta)


@router.post("/admin/auth/invalidate-session", response_model=schemas.LogoutResponse, dependencies=[bearer_only()])
def invalidate_session(
    db_session: DbSession, settings: AppSettings, token: BearerToken, meta: Meta
) -> schemas.LogoutResponse:
    """End the calling session (what the ETL Service calls on logout); idempotent."""
    return _logout(db_session, settings, token, meta)


@router.post("/auth/validate", response_model=schemas.ValidateResponse, dependencies=[authenticated_only()])
async def validate(principal: CurrentPrincipal) -> Response:
    """Whether a token is valid now, with its user, session and effective permissions."""
    # Built once per cached caller; cached callers are answered by `CachedValidation` before reaching here.
    return Response(principal.validate_answer, media_type="application/json")


@router.get("/auth/me", response_model=schemas.MeResponse, dependencies=[authenticated_only()])
async def me(principal: CurrentPrincipal) -> schemas.MeResponse:
    """The caller's user and effective permissions."""
    return schemas.MeResponse(
        user=UserBrief(**principal.user_dict()),
        permissions=permission_list(principal.permissions),
        session_id=principal.session_id,
        expires_at=principal.expires_at,
    )


@router.post(
    "/auth/change-password", response_model=schemas.ChangePasswordResponse, dependencies=[authenticated_only()]
)
def change_password(
    body: schemas.ChangePasswordRequest,
    principal: CurrentPrincipal,
    db_session: DbSession,
    settings: AppSettings,
    meta: Meta,
) -> schemas.ChangePasswordResponse:
    """Change the caller's password; the caller's other sessions end."""
    ended = auth_service.change_password(
        db_session=db_session,
        settings=settings,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        meta=meta,
    )
    return schemas.ChangePasswordResponse(sessions_ended=ended)


@router.get(
    "/admin/current-session", response_model=schemas.CurrentSessionResponse, dependencies=[authenticated_only()]
)
async def current_session(principal: CurrentPrincipal) -> schemas.CurrentSessionResponse:
    """The calling session: how a page knows which listed session is its own."""
    return schemas.CurrentSessionResponse(
        session_id=principal.session_id,
        user_id=principal.user_id,
        created_at=principal.session_created_at,
        last_activity_at=principal.last_activity_at,
        expires_at=principal.expires_at,
        ip_address=principal.ip_address,
        user_agent=principal.user_agent,
    )
