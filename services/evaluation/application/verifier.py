"""Verifying a draw from a pool anyone may send, without signing in, in a worker
process.

Measured on this code with a 20,000-entity pool (1.3 MB), while a coroutine on the
service's loop ticked every millisecond: inline, the loop stood still for the whole
0.7 s; in a thread it still stalled, 7 ms a tick at the median and up to 220 ms at
once, because parsing and validating the body and the HMAC stream hold the GIL; in a
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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.evaluation.domain import draw as draw_algorithm
from shared.errors import Invalid, Refusal, Unavailable
from shared.text import Line

# A pool of 20,000 entities takes about a CPU-second to recompute; its JSON is about
# 1.3 MB with short ids, so 4 MiB leaves room for long ids and an expected draw.
MAX_POOL_ENTITIES = 20_000
MAX_VERIFY_BODY_BYTES = 4 * 1024 * 1024
# Verifications running or waiting for the worker; more are refused (503), so that
# waiting requests cannot pile up their bodies in memory.
MAX_PENDING_VERIFICATIONS = 4


class VerifyDrawRequest(BaseModel):
    """A pool, the public randomness and the algorithm, and optionally the draw they
    are expected to give."""

    model_config = ConfigDict(extra="forbid")

    pool: draw_algorithm.PoolDocument
    randomness: Line = Field(min_length=1, max_length=500)
    algorithm: Line = "v1"
    expected: draw_algorithm.DrawResult | None = None


class MalformedRequest(Exception):
    """The body is not a ``VerifyDrawRequest``: pydantic's errors, located in the body."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("malformed verification request")
        self.errors = errors


Outcome = draw_algorithm.Verification | Refusal | list[dict[str, Any]]


def verify_body(body: bytes) -> Outcome:
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
        return draw_algorithm.verify(
            request.pool, request.randomness, request.algorithm, request.expected
        )
    except Refusal as refusal:
        return refusal


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

    async def run(self, body: bytes) -> Outcome:
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


async def verify_draw(body: bytes) -> draw_algorithm.Verification:
    """A draw recomputed from ``body`` (a ``VerifyDrawRequest`` as JSON) in the worker;
    a refusal is raised, a malformed body raises ``MalformedRequest``."""
    outcome = await WORKER.run(body)
    if isinstance(outcome, Refusal):
        raise outcome
    if isinstance(outcome, list):
        raise MalformedRequest(outcome)
    return outcome
