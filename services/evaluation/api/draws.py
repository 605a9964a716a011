"""The published pool and draw, and their verification by anyone.

``POST /draws/verify`` recomputes a draw from a pool anyone may send, without signing
in: its body is capped (413) and its pool too (422), and the work runs in a worker
process. Measured on this code with a 20,000-entity pool (1.3 MB), while a coroutine
on the service's loop ticked every millisecond: inline, the loop stood still for the
whole 0.7 s; in a thread it still stalled, 7 ms a tick at the median and up to 220 ms
at once, because parsing and validating the body and the HMAC stream hold the GIL; in a
process the median tick stayed at 0.1 ms. So: one worker process, started on first
use (``spawn``: a fork would copy the service's threads' locks), fed the raw body, and
a bounded queue in front of it."""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.evaluation.api.context import EvaluationDep
from services.evaluation.api.models import (
    REFUSALS,
    DrawView,
    PoolView,
    RefusalBody,
    VerificationView,
    VerifyDrawRequest,
)
from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.meeting import pool_document
from shared.body_limit import body_limit
from shared.errors import Conflict, Invalid, Refusal, Unavailable
from shared.events.evaluation import PoolFrozen, RepresentativesDrawn
from shared.text import IdPath

# A pool of 20,000 entities takes about a CPU-second to recompute; its JSON is about
# 1.3 MB with short ids, so 4 MiB leaves room for long ids and an expected draw.
MAX_POOL_ENTITIES = 20_000
MAX_VERIFY_BODY_BYTES = 4 * 1024 * 1024
# Verifications running or waiting for the worker; more are refused (503), so that
# waiting requests cannot pile up their bodies in memory.
MAX_PENDING_VERIFICATIONS = 4

router = APIRouter(tags=["draw 随机抽取"], responses=REFUSALS)


class BodyTooLarge(Refusal):
    """The request body is over the route's limit (HTTP 413)."""

    status_code: ClassVar[int] = 413
    kind: ClassVar[str] = "body_too_large"


def _pool(ev: EvaluationDep, meeting_id: str) -> PoolFrozen:
    state = ev.meeting(meeting_id)
    if state.pool is None:
        raise Conflict(
            "样本库尚未冻结", "the pool is not frozen yet", field="status", code="wrong_status"
        )
    return state.pool


def _drawn(ev: EvaluationDep, meeting_id: str) -> RepresentativesDrawn:
    state = ev.meeting(meeting_id)
    if state.drawn is None:
        raise Conflict(
            "尚未抽取代表", "representatives are not drawn yet", field="status", code="wrong_status"
        )
    return state.drawn


def recorded_draw(drawn: RepresentativesDrawn) -> draw_algorithm.DrawResult:
    return draw_algorithm.DrawResult(
        algorithm=drawn.algorithm,
        pool_hash=drawn.pool_hash,
        seed=drawn.seed,
        quotas=drawn.quotas,
        representatives=drawn.representatives,
        reserves=drawn.reserves,
    )


@router.get(
    "/meetings/{meeting_id}/pool",
    response_model=PoolView,
    summary="公开的冻结样本库 / The frozen pool (public)",
)
async def get_pool(meeting_id: IdPath, ev: EvaluationDep) -> PoolView:
    pool = _pool(ev, meeting_id)
    return PoolView(
        meeting_id=meeting_id,
        pool_hash=pool.pool_hash,
        frozen_at=pool.frozen_at,
        pool=pool_document(pool),
    )


@router.get(
    "/meetings/{meeting_id}/draw",
    response_model=DrawView,
    summary="公开的抽取结果 / The published draw (public)",
)
async def get_draw(meeting_id: IdPath, ev: EvaluationDep) -> DrawView:
    drawn = _drawn(ev, meeting_id)
    return DrawView(
        meeting_id=meeting_id,
        randomness=drawn.randomness,
        randomness_source=drawn.randomness_source,
        drawn_at=drawn.drawn_at,
        draw=recorded_draw(drawn),
    )


@router.get(
    "/meetings/{meeting_id}/draw/verify",
    response_model=VerificationView,
    summary="重新计算并核对本次抽取 / Recompute this meeting's draw and compare",
)
async def verify_recorded(meeting_id: IdPath, ev: EvaluationDep) -> VerificationView:
    pool, drawn = _pool(ev, meeting_id), _drawn(ev, meeting_id)
    return VerificationView.of(
        draw_algorithm.verify(
            pool_document(pool), drawn.randomness, drawn.algorithm, recorded_draw(drawn)
        )
    )


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


def verify_body(body: bytes) -> VerificationView | Refusal | list[dict[str, Any]]:
    """The worker's job: parse, check and verify. Refusals and validation errors are
    returned, not raised, so that they cross back to the service as plain data."""
    try:
        request = VerifyDrawRequest.model_validate_json(body)
    except ValidationError as invalid:
        return [
            {**error, "loc": ("body", *error["loc"])}
            for error in invalid.errors(include_url=False, include_input=False)
        ]
    entities = len(request.pool.entities)
    if entities > MAX_POOL_ENTITIES:
        return Invalid(
            f"样本库最多 {MAX_POOL_ENTITIES} 个监管对象，本次为 {entities} 个",
            f"a pool may hold at most {MAX_POOL_ENTITIES} entities; this one has {entities}",
            field="pool.entities",
        )
    try:
        verification = draw_algorithm.verify(
            request.pool, request.randomness, request.algorithm, request.expected
        )
    except Refusal as refusal:
        return refusal
    return VerificationView.of(verification)


def _exit_with_the_service() -> None:
    """Run in the worker as it starts: exit as soon as the service process is gone,
    however it ended. A pool's worker holds both ends of its task pipe, so it would
    otherwise wait for work for ever after a killed service."""
    service = multiprocessing.parent_process()
    if service is None:
        return
    sentinel = service.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-the-service", daemon=True).start()


class _Worker:
    """One worker process for every verification of this service process."""

    def __init__(self) -> None:
        self._executor: Executor | None = None
        self._pending = 0

    def _pool(self) -> Executor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_exit_with_the_service
            )
        return self._executor

    async def run(self, body: bytes) -> VerificationView | Refusal | list[dict[str, Any]]:
        if self._pending >= MAX_PENDING_VERIFICATIONS:
            raise Unavailable(
                "核验请求过多，请稍后重试", "too many verifications at once; retry shortly"
            )
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool(), verify_body, body)
        except BrokenProcessPool:
            self._executor = None  # the worker died (e.g. killed): a new one next time
            raise Unavailable("核验进程异常退出，请重试", "the verifier stopped; retry") from None
        finally:
            self._pending -= 1

    def close(self) -> None:
        """Stop the worker process (it is started again on the next verification)."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None


WORKER = _Worker()


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
    outcome = await WORKER.run(await _capped_body(request, MAX_VERIFY_BODY_BYTES))
    if isinstance(outcome, Refusal):
        raise outcome
    if isinstance(outcome, list):
        raise RequestValidationError(outcome)
    return outcome
