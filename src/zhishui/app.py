"""create_app(settings) -> FastAPI: mounts the REST API, OGC API, tiles and the web client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from zhishui import __version__
from zhishui.api import auth, errors, ogc, registry, tiles, users
from zhishui.bootstrap import Context, build_context
from zhishui.core.settings import Settings
from zhishui.web import pages


def create_app(settings: Settings | None = None, context: Context | None = None) -> FastAPI:
    ctx = context or build_context(settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if context is None:
            ctx.close()

    app = FastAPI(
        title="zhishui 智水",
        version=__version__,
        description="一张网智管 — the registry, sensors, alarms and cases of a county.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.context = ctx
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(registry.router)
    app.include_router(users.router)
    app.include_router(ogc.router)
    app.include_router(tiles.router)
    pages.mount(app)
    return app
