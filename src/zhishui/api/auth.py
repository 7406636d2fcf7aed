"""Login, logout and who-am-I for browsers; API tokens for machines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field

from zhishui.api.deps import SESSION_COOKIE, Ctx, CurrentActor, DbSession, client_ip
from zhishui.org import service as org
from zhishui.org.models import User

router = APIRouter(tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class MeOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    org_unit: dict[str, str]
    locale: str | None
    csrf_token: str | None = None


def _me(user: User, csrf: str | None) -> MeOut:
    unit = user.org_unit
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        org_unit={
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "division_code": unit.division_code,
        },
        locale=user.locale,
        csrf_token=csrf,
    )


def _set_cookie(response: Response, request: Request, token: str, ctx: Ctx) -> None:
    secure = ctx.settings.cookie_secure or request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.settings.session_hours * 3600,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


@router.post("/auth/login", response_model=MeOut, summary="Log in (JSON or form)")
def login(
    request: Request, response: Response, ctx: Ctx, session: DbSession, body: LoginBody
) -> MeOut:
    now = ctx.clock.now()
    try:
        user = org.authenticate(
            session, body.username, body.password, now, ctx.login_policy, client_ip(request)
        )
    except Exception:
        session.commit()  # keep the failure count and audit entry; the error still goes out
        raise
    token, csrf = org.start_session(session, user, now, ctx.login_policy, client_ip(request))
    _set_cookie(response, request, token, ctx)
    return _me(user, csrf)


@router.post("/auth/login-form", include_in_schema=False)
def login_form(
    request: Request,
    ctx: Ctx,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    from fastapi.responses import RedirectResponse

    from zhishui.core.errors import AuthenticationFailed

    now = ctx.clock.now()
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    try:
        user = org.authenticate(
            session, username, password, now, ctx.login_policy, client_ip(request)
        )
    except AuthenticationFailed as exc:
        session.commit()
        reason = "locked" if "locked" in exc.message else "failed"
        return RedirectResponse(f"/login?error={reason}&next={target}", status_code=303)
    token, _csrf = org.start_session(session, user, now, ctx.login_policy, client_ip(request))
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, request, token, ctx)
    return response


@router.post("/auth/logout", status_code=204, summary="Log out")
def logout(request: Request, response: Response, session: DbSession, actor: CurrentActor) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        org.end_session(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/api/v1/me", response_model=MeOut, summary="The logged-in user")
def me(request: Request, ctx: Ctx, session: DbSession, actor: CurrentActor) -> MeOut:
    user = org.get_user(session, actor.username)
    csrf = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        csrf = org.resolve_session(session, token, ctx.clock.now())[1].csrf_token
    return _me(user, csrf)
