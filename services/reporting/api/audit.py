"""Audit replays over HTTP: rebuild into a separate database (optionally as of a
moment) and compare two builds, or a build with the live read models."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from fastapi import APIRouter, Query

from services.reporting.api.access import require_auditor
from services.reporting.api.deps import Context
from services.reporting.api.models import (
    ComparisonResult,
    FigureDifference,
    ReplayRequest,
    ReplayResult,
)
from services.reporting.replay.audit import compare, rebuild
from shared.auth import CurrentActor
from shared.ids import prefixed_id

router = APIRouter(prefix="/audit", tags=["audit"])


@router.post(
    "/replays",
    response_model=ReplayResult,
    status_code=201,
    summary="从头重放到独立数据库（可指定截止时间） / Rebuild into a separate database",
)
async def create_replay(body: ReplayRequest, actor: CurrentActor, context: Context) -> ReplayResult:
    require_auditor(actor)
    replay_id = prefixed_id("replay-", 12)
    url = f"sqlite:///{context.replay_dir / f'{replay_id}.db'}"
    summary = await asyncio.to_thread(rebuild, context.settings, url, as_of=body.as_of)
    context.replays[replay_id] = url
    # The build's summary but for where it was written, which stays on this side.
    built = {k: v for k, v in asdict(summary).items() if k != "url"}
    return ReplayResult(replay_id=replay_id, **built)


@router.get(
    "/compare",
    response_model=ComparisonResult,
    summary="逐项比较两个版本的数据 / Compare two builds figure by figure",
)
async def compare_builds(
    actor: CurrentActor,
    context: Context,
    left: str = Query(description="'live' or a replay id"),
    right: str = Query(description="'live' or a replay id"),
) -> ComparisonResult:
    require_auditor(actor)
    result = await asyncio.to_thread(compare, context.build_url(left), context.build_url(right))
    return ComparisonResult(
        left=left,
        right=right,
        identical=result.identical,
        figures_compared=result.figures_compared,
        differences=[FigureDifference(**d.__dict__) for d in result.differences],
        left_offsets=result.left_offsets,
        right_offsets=result.right_offsets,
    )
