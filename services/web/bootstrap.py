"""The web application: pages, assets and the ``/api/<service>`` reverse proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from shared.clock import Clock, SystemClock
from shared.settings import Settings, get_settings

from . import proxy
from .backend import Backend, BackendError
from .pages import ballot, cases, dashboard, intake, items, meetings, public, signin
from .render import error_page, redirect
from .session import actor_of

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)
STATIC = Path(__file__).resolve().parent / "static"


def build_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    backend_urls: dict[str, str] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    settings.require_safe_secrets()
    urls = backend_urls or settings.backend_urls()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.web_backend_timeout_s) as client:
            app.state.backend = Backend(client, urls)
            yield

    app = FastAPI(
        title="江西省行政执法不公专项治理 · 网站 / Campaign web application",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        # Everything comes from this origin; ballot tokens in URLs never leak as referrers.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(BackendError)
    async def _backend_error(request: Request, exc: Exception) -> HTMLResponse | RedirectResponse:
        assert isinstance(exc, BackendError)
        if exc.status == 401 or (exc.status == 403 and actor_of(request) is None):
            return redirect(f"/signin?next={request.url.path}")
        return error_page(request, exc)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (public, signin, intake, items, cases, meetings, ballot, dashboard):
        app.include_router(module.router)
    app.include_router(proxy.router)
    return app
