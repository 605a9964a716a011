"""Request bodies are limited per route, and refused (413) before they are read whole.

A route takes at most ``DEFAULT_BODY_LIMIT`` bytes unless it declares otherwise beside
its definition::

    @router.post("/reports")
    @body_limit(1 * MiB)
    async def file_report(...): ...

The middleware refuses a declared ``Content-Length`` over the limit without reading
anything, and stops a body without one (chunked) as soon as the bytes received pass
the limit: a 10 MB body never sits in memory or on the event loop."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.routing import APIRoute
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


def too_large_response(limit: int) -> Any:
    return error_response(
        413,
        "body_too_large",
        f"请求体超过本接口上限 {limit} 字节",
        f"the request body is over this route's limit of {limit} bytes",
    )


def declared_limits(api: FastAPI) -> dict[tuple[str, str], int]:
    """``(method, path template) -> limit`` of every route that declares one."""
    limits: dict[tuple[str, str], int] = {}
    for route in api.routes:
        if isinstance(route, APIRoute) and hasattr(route.endpoint, _ATTRIBUTE):
            for method in route.methods or ():
                limits[(method, route.path_format)] = getattr(route.endpoint, _ATTRIBUTE)
    return limits


class BodyLimitMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``): it only wraps ``receive``."""

    def __init__(self, app: ASGIApp, api: FastAPI, default: int = DEFAULT_BODY_LIMIT) -> None:
        self.app = app
        self.api = api
        self.default = default
        self._table: list[tuple[re.Pattern[str], frozenset[str], int]] | None = None

    def _routes(self) -> list[tuple[re.Pattern[str], frozenset[str], int]]:
        # Read on first use: the routes are all registered by the time a request comes.
        if self._table is None:
            self._table = [
                (
                    route.path_regex,
                    frozenset(route.methods or ()),
                    getattr(route.endpoint, _ATTRIBUTE),
                )
                for route in self.api.routes
                if isinstance(route, APIRoute) and hasattr(route.endpoint, _ATTRIBUTE)
            ]
        return self._table

    def limit_for(self, method: str, path: str) -> int:
        for pattern, methods, limit in self._routes():
            if method in methods and pattern.match(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                response = error_response(
                    400,
                    "bad_content_length",
                    "Content-Length 不是有效的字节数",
                    "Content-Length is not a number of bytes",
                )
                await response(scope, receive, send)
                return
            if int(declared) > limit:
                await too_large_response(limit)(scope, receive, send)
                return
        received = 0
        response_started = False

        async def counted_receive() -> Message:
            nonlocal received
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
        except BodyTooLarge:
            # Read outside FastAPI's body parsing (e.g. a streaming endpoint).
            if response_started:
                raise
            await too_large_response(limit)(scope, receive, send)
