"""The deadline watcher: on the injected clock, every item past a threshold and every
referral past its acknowledgement deadline gets a command whose decider emits each
threshold event exactly once (the state, rebuilt from the log, remembers)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from services.rectification.domain.calendar import passes_at
from services.rectification.domain.cases import CaseState, CheckReferrals
from services.rectification.domain.items import (
    WORKING,
    CheckDeadline,
    ItemState,
    threshold_moment,
)
from services.rectification.runtime import CASE, ITEM, RectificationRuntime
from shared.envelope import CloudEvent
from shared.events.rectification import DeadlineThreshold
from shared.eventstore import CommandContext

log = logging.getLogger(__name__)

TIMER_ACTOR = "system:rectification-timer:"


def _item_needs_check(item: ItemState, now: datetime) -> bool:
    if item.status not in WORKING:
        return False
    return any(
        not item.reached(threshold) and threshold_moment(item, threshold) <= now
        for threshold in DeadlineThreshold
    )


def _case_needs_check(case: CaseState, now: datetime) -> bool:
    return any(
        r.acknowledged_at is None and not r.overdue_flagged and passes_at(r.acknowledge_by) <= now
        for r in case.referrals
    )


async def check_deadlines(runtime: RectificationRuntime) -> list[CloudEvent]:
    """One tick: emit every threshold reached by now; return the envelopes published."""
    now = runtime.clock.now()
    store = runtime.events
    published: list[CloudEvent] = []
    for item_id, item in list(store.all(ITEM)):
        if item is None or not _item_needs_check(item, now):
            continue
        context = CommandContext(
            actor=TIMER_ACTOR, campaign_id=item.campaign_id, region_code=item.region_code
        )
        published += await store.execute(ITEM, item_id, CheckDeadline(at=now), context)
    for case_id, case in list(store.all(CASE)):
        if case is None or not _case_needs_check(case, now):
            continue
        context = CommandContext(
            actor=TIMER_ACTOR, campaign_id=case.campaign_id, region_code=case.region_code
        )
        published += await store.execute(CASE, case_id, CheckReferrals(at=now), context)
    return published


async def watch_deadlines(runtime: RectificationRuntime) -> None:
    """Tick forever, every ``runtime.tick_seconds`` of wall time."""
    await runtime.ready.wait()
    while True:
        try:
            await check_deadlines(runtime)
        except Exception:  # a failed tick is retried at the next one
            log.exception("deadline check failed")
        await asyncio.sleep(runtime.tick_seconds)
