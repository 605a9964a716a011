"""The web application: pages, assets and the ``/api/<service>`` reverse proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shared.clock import Clock, SystemClock
from shared.settings import Settings, get_settings

from . import oidc, proxy
from .backend import Backend, BackendError
from .gate import SessionGate
from .guard import Guard
from .pages import ballot, cases, dashboard, intake, items, meetings, public, signin
from .render import error_page, http_refusal, redirect
from .session import actor_of
from .sessions import SessionStore

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)


def content_security_policy(settings: Settings) -> str:
    """The sign-in and sign-out forms redirect to the identity provider, and browsers
    hold a form's redirects to ``form-action`` too."""
    if not oidc.configured(settings):
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY} {oidc.provider_origin(settings)}"


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
    app.state.sessions = SessionStore()
    app.state.provider = (
        oidc.Provider(settings, app.state.sessions) if oidc.configured(settings) else None
    )
    policy = content_security_policy(settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Inside the guard: a forged request is refused before it can refresh a session.
    app.add_middleware(
        SessionGate,
        store=app.state.sessions,
        provider=app.state.provider,
        margin_s=settings.oidc_web_refresh_margin_s,
    )
    # Innermost of the other three, so that its refusals get the security headers too.
    app.add_middleware(Guard, settings=settings)

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        # Everything comes from this origin. ``same-origin``: ballot tokens in URLs never
        # leak as referrers to another origin, while the browser still names this origin
        # in ``Origin`` on its own forms (under ``no-referrer`` it would send ``null``).
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    # Outermost: the scheme (for Secure cookies) and the client address come from
    # ``X-Forwarded-*`` only when the proxy sending them is in ``TRUSTED_PROXIES``.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.exception_handler(BackendError)
    async def _backend_error(request: Request, exc: Exception) -> HTMLResponse | RedirectResponse:
        assert isinstance(exc, BackendError)
        if exc.status == 401 or (exc.status == 403 and actor_of(request) is None):
            return redirect(f"/signin?next={request.url.path}")
        return error_page(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return http_refusal(request, exc.status_code)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (public, signin, intake, items, cases, meetings, ballot, dashboard):
        app.include_router(module.router)
    app.include_router(proxy.router)
    return app
