"""Request dependencies: the unit of work, the authenticated actor and CSRF protection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from zhishui.bootstrap import Context
from zhishui.core.errors import AuthenticationFailed, PermissionDenied
from zhishui.org.scope import Actor
from zhishui.org.service import actor_for, resolve_api_token, resolve_session

SESSION_COOKIE = "zhishui_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_context(request: Request) -> Context:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the endpoint returns, else rolled back."""
    ctx = get_context(request)
    with ctx.unit_of_work() as session:
        yield session


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def optional_actor(
    request: Request, session: Annotated[Session, Depends(get_session, scope="function")]
) -> Actor | None:
    ctx = get_context(request)
    now = ctx.clock.now()
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = resolve_api_token(session, auth[7:].strip(), now)
        return actor_for(user, client_ip(request))
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        user, login = resolve_session(session, token, now)
    except AuthenticationFailed:
        return None
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != login.csrf_token:
        raise PermissionDenied("missing or wrong CSRF token; reload the page")
    return actor_for(user, client_ip(request))


def require_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise AuthenticationFailed("authentication required: log in or send a Bearer token")
    return actor


DbSession = Annotated[Session, Depends(get_session, scope="function")]
CurrentActor = Annotated[Actor, Depends(require_actor)]
MaybeActor = Annotated[Actor | None, Depends(optional_actor)]
Ctx = Annotated[Context, Depends(get_context)]
