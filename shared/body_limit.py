"""Request bodies are limited per route, and refused (413) before they are read whole.

A route takes at most ``DEFAULT_BODY_LIMIT`` bytes unless it declares otherwise beside
its definition::

    @router.post("/reports")
    @body_limit(1 * MiB)
    async def file_report(...): ...

The middleware refuses a declared ``Content-Length`` over the limit without reading
the body, and stops a body without one (chunked) as soon as the bytes received pass
the limit: a 10 MB body never sits in memory or on the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.error_bodies import error_response

KiB = 1024
MiB = 1024 * KiB
DEFAULT_BODY_LIMIT = 64 * KiB
_ATTRIBUTE = "__max_body_bytes__"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def body_limit(max_bytes: int) -> Callable[[Endpoint], Endpoint]:
    """Declare the largest request body a route's endpoint accepts."""
    if max_bytes < 0:
        raise ValueError(f"a body limit cannot be negative, not {max_bytes}")

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _ATTRIBUTE, max_bytes)
        return endpoint

    return declare


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` inside the app: FastAPI passes an ``HTTPException`` from
    body parsing through unchanged, and the error handlers answer it in both languages."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body over {limit} bytes")
        self.limit = limit


def too_large_response(limit: int) -> JSONResponse:
    return error_response(
        413,
        "body_too_large",
        f"请求体超过本接口上限 {limit} 字节",
        f"the request body is over this route's limit of {limit} bytes",
    )


async def on_body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return too_large_response(exc.limit)


def limit_of(endpoint: object, default: int) -> int:
    declared = getattr(endpoint, _ATTRIBUTE, None)
    return default if declared is None else int(declared)


def declared_limits(api: FastAPI) -> dict[tuple[str, str], int]:
    """``(method, path template) -> limit`` of every route that declares one (for the
    OpenAPI document)."""
    limits: dict[tuple[str, str], int] = {}
    for route in iter_route_contexts(api.routes):
        declared = getattr(route.endpoint, _ATTRIBUTE, None)
        if declared is not None and route.path_format:
            for method in route.methods or ():
                limits[(method, route.path_format)] = declared
    return limits


class BodyLimitMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``): it only wraps ``receive``.

    The limit is the endpoint's: routing has put it in the scope by the time the
    endpoint reads its body, so it is looked up on the first ``receive``; a declared
    ``Content-Length`` over it is refused then, before a byte of the body is read."""

    def __init__(self, app: ASGIApp, default: int = DEFAULT_BODY_LIMIT) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not declared.isdigit():
            response = error_response(
                400,
                "bad_content_length",
                "Content-Length 不是有效的字节数",
                "Content-Length is not a number of bytes",
            )
            await response(scope, receive, send)
            return
        received = 0
        limit: int | None = None
        response_started = False

        async def counted_receive() -> Message:
            nonlocal received, limit
            if limit is None:
                limit = limit_of(scope.get("endpoint"), self.default)
                if declared is not None and int(declared) > limit:
                    raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as refused:
            # Read outside FastAPI's body parsing and its exception handlers.
            if response_started:
                raise
            await too_large_response(refused.limit)(scope, receive, send)
