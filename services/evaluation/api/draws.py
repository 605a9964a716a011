"""The published pool and draw, and their verification by anyone."""

from __future__ import annotations

from fastapi import APIRouter

from services.evaluation.api.context import EvaluationDep
from services.evaluation.api.models import (
    REFUSALS,
    DrawView,
    PoolView,
    VerificationView,
    VerifyDrawRequest,
)
from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.meeting import pool_document
from shared.body_limit import MiB, body_limit
from shared.errors import Conflict
from shared.events.evaluation import PoolFrozen, RepresentativesDrawn
from shared.text import IdPath

router = APIRouter(tags=["draw 随机抽取"], responses=REFUSALS)


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


@router.post(
    "/draws/verify",
    response_model=VerificationView,
    summary="用给定的样本库与随机数重新计算抽取 / Recompute a draw from a pool and randomness",
)
@body_limit(1 * MiB)  # anyone may ask: a pool of some thousands of entities, no more
async def verify_given(body: VerifyDrawRequest) -> VerificationView:
    return VerificationView.of(
        draw_algorithm.verify(body.pool, body.randomness, body.algorithm, body.expected)
    )
