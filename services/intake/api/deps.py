"""FastAPI dependencies: intake's application object, the client, the correlation id.

All are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread,
a hop that costs more than what these do."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared import correlation
from shared.kernel import application_dependency

from ..application import IntakeApp, new_correlation_id


def app_of(request: Request) -> IntakeApp:
    """The application object, for a route that takes it without a dependency."""
    app: IntakeApp = request.app.state.application
    return app


def client_of(request: Request) -> str:
    """The client's address, through the configured trusted proxies only."""
    peer = request.client.host if request.client is not None else "unknown"
    return app_of(request).proxies.client_of(peer, request.headers.getlist("x-forwarded-for"))


async def client_key(request: Request) -> str:
    return client_of(request)


async def correlation_id() -> str:
    """The request's id, adopted from ``X-Correlation-ID`` by the platform's middleware."""
    return correlation.current() or new_correlation_id()


AppDep = Annotated[IntakeApp, Depends(application_dependency(IntakeApp))]
ClientKey = Annotated[str, Depends(client_key)]
CorrelationId = Annotated[str, Depends(correlation_id)]
