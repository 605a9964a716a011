"""When an item's deadline thresholds fall, and the events a check emits for them.

The thresholds travel in ``RectificationOpened`` (``due_lead_days``,
``escalation_grace_days``), so a check needs nothing but the item and the time."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.rectification.domain.items.state import THRESHOLD_EVENTS, WORKING, ItemState
from shared.clock import passes_at
from shared.events.base import DomainEvent
from shared.events.rectification import DeadlineThreshold
from shared.fields import copy_fields
from shared.regions import UnknownRegion, jiangxi


def threshold_moment(state: ItemState, threshold: DeadlineThreshold) -> datetime:
    deadline = passes_at(state.due_on)
    if threshold is DeadlineThreshold.due:
        # The morning of the day ``due_lead_days`` before the deadline (0: the day itself).
        return deadline - timedelta(days=state.due_lead_days + 1)
    if threshold is DeadlineThreshold.overdue:
        return deadline
    return deadline + timedelta(days=state.escalation_grace_days)


def next_check_at(item: ItemState | None) -> datetime | None:
    """When the deadline watcher should next check this item: its earliest threshold
    not yet emitted for the current deadline (None once it is no longer worked on)."""
    if item is None or item.status not in WORKING:
        return None
    pending = [
        threshold_moment(item, threshold)
        for threshold in DeadlineThreshold
        if not item.reached(threshold)
    ]
    return min(pending, default=None)


def next_level_up(region_code: str) -> str:
    try:
        parent = jiangxi().parent(region_code)
    except UnknownRegion:
        return region_code
    return parent.code if parent is not None else region_code


def thresholds_reached(item: ItemState, at: datetime) -> list[DomainEvent]:
    """Every threshold reached by ``at`` and not yet emitted for the current deadline,
    in order. An item completed (awaiting verification) or verified is not chased."""
    if item.status not in WORKING:
        return []
    events: list[DomainEvent] = []
    for threshold in DeadlineThreshold:
        if item.reached(threshold) or at < threshold_moment(item, threshold):
            continue
        # An escalation names the region whose legal office supervises from now on.
        escalation = (
            {"escalated_to_region": next_level_up(item.region_code)}
            if threshold is DeadlineThreshold.escalated
            else {}
        )
        events.append(copy_fields(item, THRESHOLD_EVENTS[threshold], at=at, **escalation))
    return events
