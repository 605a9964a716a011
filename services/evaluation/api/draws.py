"""The published pool and draw, and their verification by anyone.

``POST /draws/verify`` recomputes a draw from a pool anyone may send, without signing
in: its body is capped (413) before it is read and its pool too (422), and the work
runs in a worker process (``application.verifier`` says why)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError

from services.evaluation.api.deps import AppDep
from services.evaluation.api.models import (
    REFUSALS,
    DrawView,
    PoolView,
    RefusalBody,
    VerificationView,
)
from services.evaluation.application import draws
from services.evaluation.application.verifier import (
    MAX_PENDING_VERIFICATIONS,
    MAX_POOL_ENTITIES,
    MAX_VERIFY_BODY_BYTES,
    MalformedRequest,
    VerifyDrawRequest,
    verify_draw,
)
from services.evaluation.domain.preparation import drawn_result, pool_document
from shared.body_limit import body_limit
from shared.errors import Refusal
from shared.params import IdPath

__all__ = [
    "MAX_PENDING_VERIFICATIONS",
    "MAX_POOL_ENTITIES",
    "MAX_VERIFY_BODY_BYTES",
    "router",
]

router = APIRouter(tags=["draw 随机抽取"], responses=REFUSALS)


class BodyTooLarge(Refusal, status=413, kind="body_too_large"):
    """The request body is over the route's limit (HTTP 413)."""


@router.get(
    "/meetings/{meeting_id}/pool",
    response_model=PoolView,
    summary="公开的冻结样本库 / The frozen pool (public)",
)
async def get_pool(meeting_id: IdPath, app: AppDep) -> PoolView:
    pool = draws.frozen_pool(app, meeting_id)
    return PoolView.shown(pool, pool=pool_document(pool))


@router.get(
    "/meetings/{meeting_id}/draw",
    response_model=DrawView,
    summary="公开的抽取结果 / The published draw (public)",
)
async def get_draw(meeting_id: IdPath, app: AppDep) -> DrawView:
    drawn = draws.recorded_draw(app, meeting_id)
    return DrawView.shown(drawn, draw=drawn_result(drawn))


@router.get(
    "/meetings/{meeting_id}/draw/verify",
    response_model=VerificationView,
    summary="重新计算并核对本次抽取 / Recompute this meeting's draw and compare",
)
async def verify_recorded(meeting_id: IdPath, app: AppDep) -> VerificationView:
    return VerificationView.of(draws.verify_recorded_draw(app, meeting_id))


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` written in place: a request body documented through
    ``openapi_extra`` cannot refer to definitions of its own."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_VERIFY_BODY = {
    "required": True,
    "content": {"application/json": {"schema": _inlined(VerifyDrawRequest.model_json_schema())}},
}


async def _capped_body(request: Request, limit: int) -> bytes:
    too_large = BodyTooLarge(
        f"请求体超过 {limit // (1024 * 1024)} MiB 上限",
        f"the request body is over the {limit // (1024 * 1024)} MiB limit",
        field="body",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/draws/verify",
    response_model=VerificationView,
    summary="用给定的样本库与随机数重新计算抽取 / Recompute a draw from a pool and randomness",
    description=(
        f"样本库最多 {MAX_POOL_ENTITIES} 个监管对象，请求体最大 "
        f"{MAX_VERIFY_BODY_BYTES // (1024 * 1024)} MiB / a pool of at most "
        f"{MAX_POOL_ENTITIES} entities, a body of at most "
        f"{MAX_VERIFY_BODY_BYTES // (1024 * 1024)} MiB"
    ),
    openapi_extra={"requestBody": _VERIFY_BODY},
    responses={
        413: {"model": RefusalBody, "description": "请求体过大 / the request body is too large"},
        503: {"model": RefusalBody, "description": "核验繁忙 / too many verifications at once"},
    },
)
@body_limit(MAX_VERIFY_BODY_BYTES)
async def verify_given(request: Request) -> VerificationView:
    try:
        verification = await verify_draw(await _capped_body(request, MAX_VERIFY_BODY_BYTES))
    except MalformedRequest as malformed:
        raise RequestValidationError(malformed.errors) from None
    return VerificationView.of(verification)
