"""The deadline watcher: on the injected clock, every item past a threshold and every
referral past its acknowledgement deadline gets a command whose decider emits each
threshold event exactly once (the state, rebuilt from the log, remembers)."""

from __future__ import annotations

import asyncio
import logging

from services.rectification.domain.cases import CaseState, CheckReferrals
from services.rectification.domain.items import CheckDeadline, ItemState
from services.rectification.runtime import CASE, ITEM, RectificationRuntime
from shared.eventstore import CommandContext

log = logging.getLogger(__name__)

TIMER_ACTOR = "system:rectification-timer:"


async def check_deadlines(runtime: RectificationRuntime) -> list[str]:
    """One tick: emit every threshold reached by now; return the ids of the items and
    cases that got events (not the events: a tick after a long pause can publish
    hundreds of thousands). Only the aggregates whose next check has come are read
    (``AggregateKind.due``)."""
    now = runtime.clock.now()
    store = runtime.events
    changed: list[str] = []
    checks = {ITEM: CheckDeadline(at=now), CASE: CheckReferrals(at=now)}
    # Items and cases in the order their moments came, so that after a long pause a
    # case's referral is not held up behind every item's thresholds.
    for kind, aggregate_id in store.due(tuple(checks), now):
        state: ItemState | CaseState = store.state(kind, aggregate_id)
        context = CommandContext(
            actor=TIMER_ACTOR, campaign_id=state.campaign_id, region_code=state.region_code
        )
        if await store.execute(kind, aggregate_id, checks[kind], context):
            changed.append(aggregate_id)
    if changed:
        log.info("deadline check: events for %d items and cases", len(changed))
    return changed


async def watch_deadlines(runtime: RectificationRuntime) -> None:
    """Tick forever, every ``runtime.tick_seconds`` of wall time."""
    await runtime.ready.wait()
    while True:
        try:
            await check_deadlines(runtime)
        except Exception:  # a failed tick is retried at the next one
            log.exception("deadline check failed")
        await asyncio.sleep(runtime.tick_seconds)
