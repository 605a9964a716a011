"""Operations: run the deadline watcher now (deterministic with a simulated clock)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.actors import Role
from shared.auth import CurrentActor

from ..timers import run_due_work
from .deps import Parts
from .models import TimerRun

router = APIRouter(prefix="/admin", tags=["ops / 运维"])


@router.post(
    "/timers/run",
    response_model=TimerRun,
    summary="立即检查期限并升级逾期线索 / Run the deadline watcher now",
)
async def run_timers(parts: Parts, actor: CurrentActor) -> TimerRun:
    actor.require(Role.admin)
    escalated, recorded = await run_due_work(parts)
    return TimerRun(escalated=escalated, problems_recorded=recorded, at=parts.clock.now())
