"""FastAPI dependencies: the service's parts, the client, the correlation id.

All are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread,
a hop that costs more than what these do."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared import correlation

from ..application import new_correlation_id
from ..parts import IntakeParts


def intake_parts_of(request: Request) -> IntakeParts:
    parts: IntakeParts = request.app.state.intake
    return parts


async def intake_parts(request: Request) -> IntakeParts:
    return intake_parts_of(request)


def client_of(request: Request) -> str:
    """The client's address, through the configured trusted proxies only."""
    peer = request.client.host if request.client is not None else "unknown"
    proxies = intake_parts_of(request).proxies
    return proxies.client_of(peer, request.headers.getlist("x-forwarded-for"))


async def client_key(request: Request) -> str:
    return client_of(request)


async def correlation_id() -> str:
    """The request's id, adopted from ``X-Correlation-ID`` by the platform's middleware."""
    return correlation.current() or new_correlation_id()


Parts = Annotated[IntakeParts, Depends(intake_parts)]
ClientKey = Annotated[str, Depends(client_key)]
CorrelationId = Annotated[str, Depends(correlation_id)]
