"""What every service's HTTP API shares: bilingual errors and ``/health``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import correlation
from shared.auth import CurrentActor, Role
from shared.clock import Clock, ControlledClock
from shared.errors import Conflict, Refusal, Throttled
from shared.kafka.admin import broker_reachable
from shared.settings import Settings

_ZH_BY_ERROR_TYPE: dict[str, str] = {
    "missing": "缺少必填字段",
    "string_too_short": "内容为空或过短",
    "string_too_long": "内容超出长度上限",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "enum": "取值不在允许的范围内",
    "literal_error": "取值不在允许的范围内",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "timezone_aware": "时间必须带时区",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "string_type": "应为字符串",
    "value_error": "取值无效",
}


def field_path(loc: Sequence[Any]) -> str:
    """``('body', 'contact', 'phone')`` -> ``contact.phone``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def describe_validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    described = []
    for error in errors:
        field = field_path(error.get("loc", ()))
        message_en = str(error.get("msg", "invalid"))
        if message_en.startswith("Value error, "):
            message_en = message_en.removeprefix("Value error, ")
        zh = _ZH_BY_ERROR_TYPE.get(str(error.get("type", "")), "取值无效")
        ctx_zh = (error.get("ctx") or {}).get("zh")
        described.append(
            {
                "field": field,
                "message": f"字段 {field}：{ctx_zh or zh} / field {field}: {message_en}",
                "message_zh": f"字段 {field}：{ctx_zh or zh}",
                "message_en": f"field {field}: {message_en}",
            }
        )
    return described


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = describe_validation_errors(exc.errors())
    return JSONResponse(
        status_code=422,
        content={
            "detail": {
                "code": "invalid",
                "field": errors[0]["field"] if errors else None,
                "message": errors[0]["message"] if errors else "请求无效 / invalid request",
                "message_zh": errors[0]["message_zh"] if errors else "请求无效",
                "message_en": errors[0]["message_en"] if errors else "invalid request",
                "errors": errors,
            }
        },
    )


async def _on_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    headers: dict[str, str] | None = None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(
        status_code=exc.status_code, content={"detail": exc.as_detail()}, headers=headers
    )


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

    api.add_middleware(CorrelationMiddleware)
    api.add_exception_handler(RequestValidationError, _on_validation_error)
    api.add_exception_handler(Refusal, _on_refusal)

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
    return api
