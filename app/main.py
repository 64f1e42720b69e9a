"""The application factory: every route, middleware, template and lifecycle hook is wired here, once."""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from app import clock, db, jobs
from app.config import ROOT, Settings, get_settings
from app.problems import handle_exception
from app.routes import ROUTE_HANDLERS
from app.security import (
    PUBLIC,
    CsrfUnlessBearer,
    SecurityHeaders,
    SessionOrTokenAuth,
    allow,
    csrf_config,
    requires_access,
)
from app.templating import template_config

STATIC_DIR = ROOT / "web" / "static"


def create_app(settings: Settings | None = None, start_worker: bool = True, manage_pool: bool = True) -> Litestar:
    settings = settings or get_settings()
    state = {"settings": settings, "worker": None, "clock": None}

    async def on_startup(app: Litestar) -> None:
        if manage_pool:
            await db.start_pool()
        if start_worker and not settings.redis_url:  # the embedded set-up: worker and clock live here
            jobs.attach_loop(asyncio.get_running_loop())
            app.state.worker = jobs.start_embedded_worker()
            await jobs.resend_unfinished()
            app.state.clock = asyncio.create_task(clock.run_forever())

    async def on_shutdown(app: Litestar) -> None:
        if app.state.get("clock") is not None:
            app.state.clock.cancel()
        worker = app.state.get("worker")
        if worker is not None:
            await asyncio.to_thread(worker.stop)
            jobs.attach_loop(None)
        if manage_pool:
            await db.close_pool()

    static = create_static_files_router(path="/static", directories=[STATIC_DIR], opt=allow(PUBLIC),
                                        include_in_schema=False, send_as_attachment=False)
    return Litestar(
        route_handlers=[*ROUTE_HANDLERS, static],
        guards=[requires_access],
        middleware=[
            SecurityHeaders,
            DefineMiddleware(SessionOrTokenAuth, exclude=["^/static/"]),
            DefineMiddleware(CsrfUnlessBearer, config=csrf_config(settings.secret_key, settings.secure_cookies)),
        ],
        template_config=template_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        plugins=[HTMXPlugin()],
        exception_handlers={Exception: handle_exception},
        openapi_config=OpenAPIConfig(
            title="Waybill API", version="1", path="/api/v1/schema", render_plugins=[SwaggerRenderPlugin()],
            openapi_router=Router(path="/api/v1/schema", route_handlers=[], opt=allow(PUBLIC)),
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=State(state),
        request_max_body_size=20 * 1024 * 1024,
        debug=False,
        logging_config=None,
    )


logging.basicConfig(level=logging.INFO)


app = create_app()
