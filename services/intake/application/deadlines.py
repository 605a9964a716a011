"""The deadline watcher's work: escalate tips nobody acted on in time, record any
problem whose ``ProblemFound`` a crash left unpublished, and shred the keys of
tipsters whose erasure a crash left half done. Reads the injected clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.actors import Actor, Role
from shared.eventstore import CommandContext

from ..domain.commands import EscalateTip
from ..domain.tip import TipState
from ..store import TIP
from .app import IntakeApp
from .ids import new_correlation_id
from .problems import reconcile_problems
from .tipster import finish_erasures


@dataclass(frozen=True)
class DuePass:
    escalated: int  # escalation events emitted
    problems_recorded: int
    at: datetime


async def escalate_overdue(app: IntakeApp) -> int:
    """Escalate every open tip past its deadline; the decider makes it once per stage.
    A tip whose escalation fails stays due, so the next pass tries it again."""
    escalated = 0
    now = app.clock.now()
    for tip_id in app.store.tips_due(now):
        state: TipState = app.store.state(TIP, tip_id)
        context = CommandContext(
            actor="system:intake-deadlines:",
            campaign_id=state.campaign_id,
            region_code=state.region_code,
            correlation_id=new_correlation_id(),
        )
        events = await app.store.execute(TIP, tip_id, EscalateTip(at=now), context)
        escalated += len(events)
    return escalated


async def run_due_work(app: IntakeApp) -> DuePass:
    """One pass of the watcher: erasures first (they protect a tipster), then
    escalations, then the problems a crash left unrecorded."""
    await finish_erasures(app)
    escalated = await escalate_overdue(app)
    return DuePass(escalated, await reconcile_problems(app), app.clock.now())


async def run_now(app: IntakeApp, actor: Actor) -> DuePass:
    """``POST /admin/timers/run``: an administrator runs one pass now (deterministic
    with a simulated clock)."""
    actor.require(Role.admin)
    return await run_due_work(app)
