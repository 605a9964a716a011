"""What a rectification item is, and how its events fold into that state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from shared.events.base import DomainEvent
from shared.events.rectification import (
    DeadlineThreshold,
    RectificationCompleted,
    RectificationDue,
    RectificationEscalated,
    RectificationExtended,
    RectificationExtensionDeclined,
    RectificationExtensionRequested,
    RectificationOpened,
    RectificationOverdue,
    RectificationProgressReported,
    RectificationReturned,
    RectificationVerified,
    ResponsiblePersonNamed,
)
from shared.fields import copy_fields

ITEM_PREFIX = "rect-"


def item_id_for(problem_id: str) -> str:
    """One item per problem: a redelivered ``ProblemFound`` hits the same aggregate."""
    return f"{ITEM_PREFIX}{problem_id}"


class ItemStatus(StrEnum):
    open = "open"  # 待整改
    in_progress = "in_progress"  # 整改中
    completed = "completed"  # 已完成，待核验
    returned = "returned"  # 核验退回
    verified = "verified"  # 已核验销号


STATUS_ZH: dict[ItemStatus, str] = {
    ItemStatus.open: "待整改",
    ItemStatus.in_progress: "整改中",
    ItemStatus.completed: "已完成待核验",
    ItemStatus.returned: "已退回",
    ItemStatus.verified: "已销号",
}

# Statuses in which the agency still has work to do.
WORKING = frozenset({ItemStatus.open, ItemStatus.in_progress, ItemStatus.returned})


@dataclass(frozen=True)
class PendingExtension:
    due_on: date
    reason: str


@dataclass(frozen=True)
class ItemState:
    item_id: str
    problem_id: str
    campaign_id: str
    agency_id: str
    region_code: str
    category: str
    kind: str
    severity: str
    summary: str
    responsible_person: str
    due_on: date
    due_lead_days: int
    escalation_grace_days: int
    rectification_ends_on: date
    opened_at: datetime
    status: ItemStatus = ItemStatus.open
    percent: int = 0
    last_note: str = ""
    measures: str = ""
    return_reasons: str = ""
    pending_extension: PendingExtension | None = None
    extensions: int = 0
    # Which thresholds were emitted, per deadline: an extension re-arms them.
    emitted: frozenset[tuple[DeadlineThreshold, date]] = field(default_factory=frozenset)
    updated_at: datetime | None = None

    def reached(self, threshold: DeadlineThreshold) -> bool:
        return (threshold, self.due_on) in self.emitted

    @property
    def overdue(self) -> bool:
        return self.reached(DeadlineThreshold.overdue) and self.status in WORKING

    @property
    def escalated(self) -> bool:
        return self.reached(DeadlineThreshold.escalated) and self.status in WORKING


ThresholdReached = RectificationDue | RectificationOverdue | RectificationEscalated

# The event that says an item's deadline threshold was reached.
THRESHOLD_EVENTS: dict[DeadlineThreshold, type[ThresholdReached]] = {
    DeadlineThreshold.due: RectificationDue,
    DeadlineThreshold.overdue: RectificationOverdue,
    DeadlineThreshold.escalated: RectificationEscalated,
}

ITEM_EVENTS: tuple[type[DomainEvent], ...] = (
    RectificationOpened,
    ResponsiblePersonNamed,
    RectificationProgressReported,
    RectificationCompleted,
    RectificationVerified,
    RectificationReturned,
    RectificationExtensionRequested,
    RectificationExtensionDeclined,
    RectificationExtended,
    RectificationDue,
    RectificationOverdue,
    RectificationEscalated,
)


def opened(event: RectificationOpened) -> ItemState:
    return copy_fields(
        event,
        ItemState,
        category=event.category.value,
        severity=event.severity.value,
        updated_at=event.opened_at,
    )


def evolve(state: ItemState | None, event: DomainEvent) -> ItemState | None:
    """``state`` after ``event``; an event before the item was opened changes nothing."""
    if isinstance(event, RectificationOpened):
        return opened(event)
    if state is None:
        return None
    if isinstance(event, ResponsiblePersonNamed):
        return replace(
            state, responsible_person=event.responsible_person, updated_at=event.named_at
        )
    if isinstance(event, RectificationProgressReported):
        return replace(
            state,
            status=ItemStatus.in_progress,
            percent=event.percent,
            last_note=event.note,
            updated_at=event.reported_at,
        )
    if isinstance(event, RectificationCompleted):
        return replace(
            state,
            status=ItemStatus.completed,
            percent=100,
            measures=event.measures,
            pending_extension=None,
            updated_at=event.completed_at,
        )
    if isinstance(event, RectificationVerified):
        return replace(state, status=ItemStatus.verified, updated_at=event.verified_at)
    if isinstance(event, RectificationReturned):
        return replace(
            state,
            status=ItemStatus.returned,
            return_reasons=event.reasons,
            updated_at=event.returned_at,
        )
    return _evolve_deadline(state, event)


def _evolve_deadline(state: ItemState, event: DomainEvent) -> ItemState:
    """The events about the deadline: extensions and thresholds reached."""
    if isinstance(event, RectificationExtensionRequested):
        return replace(
            state,
            pending_extension=PendingExtension(event.requested_due_on, event.reason),
            updated_at=event.requested_at,
        )
    if isinstance(event, RectificationExtensionDeclined):
        return replace(state, pending_extension=None, updated_at=event.declined_at)
    if isinstance(event, RectificationExtended):
        return replace(
            state,
            due_on=event.due_on,
            pending_extension=None,
            extensions=state.extensions + 1,
            updated_at=event.extended_at,
        )
    for threshold, kind in THRESHOLD_EVENTS.items():
        if isinstance(event, kind):
            return replace(state, emitted=state.emitted | {(threshold, event.due_on)})
    return state
