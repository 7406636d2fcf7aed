"""HTML pages and static files; the pages are shells, data comes from the REST API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from zhishui import __version__
from zhishui.api.deps import SESSION_COOKIE, get_context
from zhishui.core.errors import AuthenticationFailed
from zhishui.org.service import resolve_session

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))
LANG_COOKIE = "zhishui_lang"


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if lang in ("zh", "en"):
        return lang
    return get_context(request).settings.default_locale


def _logged_in(request: Request) -> bool:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return False
    ctx = get_context(request)
    with ctx.unit_of_work() as session:
        try:
            resolve_session(session, token, ctx.clock.now())
        except AuthenticationFailed:
            return False
    return True


def _page(request: Request, name: str, **extra: object) -> Response:
    lang = _lang(request)
    response = templates.TemplateResponse(
        request, name, {"lang": lang, "version": __version__, **extra}
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return _page(
            request,
            "login.html",
            error=request.query_params.get("error"),
            next=request.query_params.get("next", "/"),
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Response:
        if not _logged_in(request):
            return RedirectResponse("/login?next=/", status_code=303)
        return _page(request, "index.html")

    @app.get("/import", response_class=HTMLResponse, include_in_schema=False)
    def import_page(request: Request) -> Response:
        if not _logged_in(request):
            return RedirectResponse("/login?next=/import", status_code=303)
        return _page(request, "import.html")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}
