"""The deadline watcher's pass: on the injected clock, every item past a threshold
and every referral past its acknowledgement deadline gets a check whose decider emits
each threshold event exactly once (the state, rebuilt from the log, remembers). The
kernel runs the pass every ``rectification_tick_seconds``."""

from __future__ import annotations

import logging

from services.rectification.application import cases, items
from services.rectification.application.app import CASE, ITEM, RectificationApp
from shared.settings import Settings

log = logging.getLogger(__name__)


async def run_due(app: RectificationApp) -> list[str]:
    """One pass: emit every threshold reached by now; return the ids of the items and
    cases that got events (not the events: a pass after a long pause can publish
    hundreds of thousands). Only the aggregates whose next check has come are read
    (``AggregateKind.due``)."""
    now = app.now()
    checks = {ITEM: items.check_deadline, CASE: cases.check_referrals}
    changed: list[str] = []
    # Items and cases in the order their moments came, so that after a long pause a
    # case's referral is not held up behind every item's thresholds.
    for kind, aggregate_id in app.store.due(tuple(checks), now):
        if await checks[kind](app, aggregate_id, now):
            changed.append(aggregate_id)
    if changed:
        log.info("deadline check: events for %d items and cases", len(changed))
    return changed


def interval(settings: Settings) -> float:
    return settings.rectification_tick_seconds
