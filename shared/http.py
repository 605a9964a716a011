"""What every service's HTTP API shares: bilingual errors (documented in OpenAPI),
per-route body limits, correlation ids, the clock routes and ``/health``."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import correlation
from shared.actors import Role
from shared.auth import CurrentActor
from shared.body_limit import (
    DEFAULT_BODY_LIMIT,
    BodyLimitMiddleware,
    BodyTooLarge,
    declared_limits,
    on_body_too_large,
)
from shared.clock import Clock, ControlledClock
from shared.error_bodies import document_errors, install_error_handlers
from shared.errors import Conflict
from shared.kafka.admin import broker_reachable
from shared.settings import Settings


class CorrelationMiddleware:
    """Adopts the request's ``X-Correlation-ID`` (or makes one) for everything the
    request causes, and echoes it on the response.

    Pure ASGI on purpose: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``) runs
    the app in a separate task behind memory streams and wraps the body in a
    streaming response, which costs more than some whole endpoints."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation.begin(Headers(scope=scope).get(correlation.HEADER))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[correlation.HEADER] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class ClockSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: AwareDatetime = Field(description="新的模拟时间（带时区，不得回拨） / new simulated time")


class ClockReading(BaseModel):
    mode: str = Field(description="system | controlled")
    now: datetime


def _clock_reading(clock: Clock) -> ClockReading:
    mode = "controlled" if isinstance(clock, ControlledClock) else "system"
    return ClockReading(mode=mode, now=clock.now())


def add_clock_routes(api: FastAPI, clock: Clock) -> None:
    """``GET``/``POST /admin/clock``: read the service's time; set it when the service
    runs with ``CLOCK_MODE=controlled`` (admin only, never backwards)."""

    @api.get(
        "/admin/clock",
        tags=["ops"],
        response_model=ClockReading,
        summary="服务当前时间 / The service's current time",
    )
    async def read_clock(actor: CurrentActor) -> ClockReading:
        actor.require(Role.admin)
        return _clock_reading(clock)

    @api.post(
        "/admin/clock",
        tags=["ops"],
        response_model=ClockReading,
        summary="设置模拟时间（仅受控时钟模式） / Set the simulated time (controlled mode only)",
    )
    async def set_clock(body: ClockSetting, actor: CurrentActor) -> ClockReading:
        actor.require(Role.admin)
        if not isinstance(clock, ControlledClock):
            raise Conflict(
                "本服务使用系统时钟，不能设置时间（需 CLOCK_MODE=controlled）",
                "this service runs on the system clock; set CLOCK_MODE=controlled to set it",
                code="clock_not_controlled",
            )
        try:
            clock.set(body.now)
        except ValueError:
            raise Conflict(
                f"时间不能回拨（当前 {clock.now().isoformat()}）",
                f"time cannot move backwards (now {clock.now().isoformat()})",
                field="now",
                code="clock_backwards",
            ) from None
        return _clock_reading(clock)


def create_api(service: str, settings: Settings, clock: Clock, **fastapi_options: Any) -> FastAPI:
    """A FastAPI app with the platform's error format, settings, clock and ``/health``."""
    settings.require_safe_secrets()
    telemetry = settings.http_telemetry
    api = FastAPI(
        title=f"{service} service · 行政执法不公专项治理",
        version="0.1.0",
        telemetry={"tracing": telemetry, "metrics": telemetry, "logs": telemetry},
        **fastapi_options,
    )
    api.state.settings = settings
    api.state.clock = clock

    # Added last, so outermost: even a body refused before it is read carries the id.
    api.add_middleware(BodyLimitMiddleware, default=DEFAULT_BODY_LIMIT)
    api.add_middleware(CorrelationMiddleware)
    install_error_handlers(api)
    api.add_exception_handler(BodyTooLarge, on_body_too_large)

    @api.get("/health", tags=["ops"], summary="Liveness and Kafka reachability / 健康检查")
    async def health() -> JSONResponse:
        reachable, reason = await asyncio.to_thread(broker_reachable, settings)
        body = {
            "service": service,
            "status": "ok" if reachable else "degraded",
            "kafka": {
                "reachable": reachable,
                "bootstrap_servers": settings.kafka_bootstrap_servers,
                "detail": reason,
            },
        }
        return JSONResponse(status_code=200 if reachable else 503, content=body)

    add_clock_routes(api, clock)
    _document_errors_in_openapi(api)
    return api


def _document_errors_in_openapi(api: FastAPI) -> None:
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            document_errors(generate(), declared_limits(api), DEFAULT_BODY_LIMIT)
        assert api.openapi_schema is not None
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
