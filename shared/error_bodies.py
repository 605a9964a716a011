"""Every error a service answers has one bilingual shape, and OpenAPI says so.

FastAPI's own answers (a 404 for an unknown path, a 405, a malformed JSON body, an
unexpected exception) are English-only and shaped differently from the platform's
refusals; these handlers give them the platform's ``{"detail": {...}}`` body. The
OpenAPI document is corrected to match: FastAPI documents every 422 as its
``HTTPValidationError``, which the services never send."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import correlation
from shared.errors import Refusal, Throttled

logger = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(description="出错的字段 / the field at fault")
    message: str
    message_zh: str
    message_en: str


class ErrorDetail(BaseModel):
    code: str = Field(description="机器可读的原因 / machine-readable reason")
    field: str | None = Field(default=None, description="出错的字段 / the field at fault")
    message: str = Field(description="中文 / English")
    message_zh: str
    message_en: str
    errors: list[FieldError] | None = Field(
        default=None, description="每个无效字段（仅 422） / every invalid field (422 only)"
    )


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    detail: ErrorDetail


def error_response(
    status_code: int,
    code: str,
    zh: str,
    en: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    detail = {
        "code": code,
        "field": field,
        "message": f"{zh} / {en}",
        "message_zh": zh,
        "message_en": en,
    }
    return JSONResponse(status_code=status_code, content={"detail": detail}, headers=headers)


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
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "date_parsing": "日期格式不正确",
    "date_type": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "date_from_datetime_inexact": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "datetime_type": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "timezone_aware": "时间必须带时区",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "string_type": "应为字符串",
    "string_unicode": "应为字符串",
    "value_error": "取值无效",
    "uuid_parsing": "格式不正确",
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


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        return error_response(
            400, "malformed_body", "请求体不是有效的 JSON", "the request body is not valid JSON"
        )
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


async def on_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    headers: dict[str, str] | None = None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(
        status_code=exc.status_code, content={"detail": exc.as_detail()}, headers=headers
    )


# Starlette's and FastAPI's own HTTP errors, in both languages.
_HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求格式不正确", "the request is malformed"),
    401: ("unauthenticated", "缺少身份令牌", "not authenticated"),
    403: ("forbidden", "不允许此操作", "not allowed"),
    404: ("not_found", "没有该资源", "no such resource"),
    405: ("method_not_allowed", "该地址不支持此请求方法", "this method is not allowed here"),
    406: ("not_acceptable", "无法提供所要求的格式", "cannot answer in the format asked for"),
    413: ("body_too_large", "请求体过大", "the request body is too large"),
    415: ("unsupported_media_type", "不支持的请求体格式", "unsupported request body type"),
}


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, zh, en = _HTTP_ERRORS.get(
        exc.status_code, ("http_error", "请求未能完成", f"the request failed: {exc.detail}")
    )
    return error_response(exc.status_code, code, zh, en, headers=exc.headers)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A 500 that says nothing of the failure (it is logged) but gives the correlation
    id, so an operator can find the log line."""
    correlation_id = correlation.current()
    logger.error("unexpected error (correlation %s)", correlation_id, exc_info=exc)
    return error_response(
        500,
        "internal_error",
        f"服务内部错误，请稍后再试（关联编号 {correlation_id}）",
        f"internal error; try again later (correlation id {correlation_id})",
        headers={correlation.HEADER: correlation_id} if correlation_id else None,
    )


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(Refusal, on_refusal)
    api.add_exception_handler(StarletteHTTPException, on_http_error)
    api.add_exception_handler(Exception, on_unexpected_error)


_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_DOCUMENTED: dict[str, str] = {
    "4XX": "请求被拒绝（原因见 detail.code） / refused (detail.code says why)",
    "422": "输入无效（指明字段） / invalid input (the field is named)",
    "5XX": "服务内部错误或依赖不可用 / internal error or a dependency unavailable",
}


def _error_response_doc(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _refers_to_fastapi_validation_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def document_errors(
    schema: dict[str, Any], body_limits: dict[tuple[str, str], int], default_limit: int
) -> None:
    """Correct a generated OpenAPI document in place: every operation documents the
    platform's error body for 4xx and 5xx, 413 where it takes a body, and FastAPI's
    ``HTTPValidationError`` is gone."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model_schema in (
        ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        .pop("$defs", {})
        .items()
    ):
        components[name] = model_schema
    components["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components["ErrorBody"].pop("$defs", None)
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if _refers_to_fastapi_validation_error(response):
                    responses[status] = _error_response_doc(_DOCUMENTED["422"])
                elif status.startswith(("4", "5")):
                    # Errors are JSON whatever the route answers on success (an HTML
                    # page, an SVG): FastAPI files a declared error model under the
                    # route's own media type.
                    schemas = [c.get("schema") for c in response.get("content", {}).values()]
                    schema_of_error = next((s for s in schemas if s), _ERROR_REF)
                    response["content"] = {"application/json": {"schema": schema_of_error}}
            for status, description in _DOCUMENTED.items():
                if status != "422":
                    responses.setdefault(status, _error_response_doc(description))
            declared = body_limits.get((method.upper(), path))
            limit = default_limit if declared is None else declared
            if "requestBody" in operation or declared is not None:
                operation["x-max-body-bytes"] = limit
                responses.setdefault(
                    "413",
                    _error_response_doc(
                        f"请求体超过 {limit} 字节 / request body over {limit} bytes"
                    ),
                )
