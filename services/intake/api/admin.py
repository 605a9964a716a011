"""Operations: run the deadline watcher now (deterministic with a simulated clock)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.auth import CurrentActor

from ..application.deadlines import run_now
from .deps import AppDep
from .models import TimerRun

router = APIRouter(prefix="/admin", tags=["ops / 运维"])


@router.post(
    "/timers/run",
    response_model=TimerRun,
    summary="立即检查期限并升级逾期线索 / Run the deadline watcher now",
)
async def run_timers(app: AppDep, actor: CurrentActor) -> TimerRun:
    done = await run_now(app, actor)
    return TimerRun(escalated=done.escalated, problems_recorded=done.problems_recorded, at=done.at)
