"""A rectification item (整改事项): one problem, fixed by its agency under a deadline,
verified (销号) by the supervising legal office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from services.rectification.domain.access import (
    require_agency_or_office,
    require_agency_staff,
    require_office,
)
from services.rectification.domain.calendar import initial_due_on
from shared.actors import Actor
from shared.clock import local_date, passes_at
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.directory import CampaignRules
from shared.events.intake import ProblemFound
from shared.events.rectification import (
    PLACEHOLDER_RESPONSIBLE_PERSON,
    DeadlineThreshold,
    EvidenceRef,
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
from shared.regions import UnknownRegion, jiangxi
from shared.vocabulary import Severity

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


# -- commands ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    problem: ProblemFound
    rules: CampaignRules
    rectification_starts_on: date
    rectification_ends_on: date
    rules_known: bool
    at: datetime


@dataclass(frozen=True)
class NameResponsiblePerson:
    actor: Actor
    responsible_person: str
    at: datetime


@dataclass(frozen=True)
class ReportProgress:
    actor: Actor
    note: str
    percent: int
    evidence: tuple[EvidenceRef, ...]
    at: datetime


@dataclass(frozen=True)
class CompleteItem:
    actor: Actor
    measures: str
    evidence: tuple[EvidenceRef, ...]
    at: datetime


@dataclass(frozen=True)
class VerifyItem:
    actor: Actor
    note: str
    at: datetime


@dataclass(frozen=True)
class ReturnItem:
    actor: Actor
    reasons: str
    at: datetime


@dataclass(frozen=True)
class RequestExtension:
    actor: Actor
    due_on: date
    reason: str
    at: datetime


@dataclass(frozen=True)
class ApproveExtension:
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class DeclineExtension:
    actor: Actor
    reasons: str
    at: datetime


@dataclass(frozen=True)
class CheckDeadline:
    """Issued by the deadline watcher with the injected clock's time."""

    at: datetime


ItemCommand = (
    OpenItem
    | NameResponsiblePerson
    | ReportProgress
    | CompleteItem
    | VerifyItem
    | ReturnItem
    | RequestExtension
    | ApproveExtension
    | DeclineExtension
    | CheckDeadline
)


# -- state ------------------------------------------------------------------------


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


# -- decider ----------------------------------------------------------------------


def _require_opened(state: ItemState | None) -> ItemState:
    if state is None:
        raise Conflict("整改事项尚未建立", "the rectification item has not been opened")
    return state


def _require_status(
    state: ItemState, allowed: frozenset[ItemStatus], doing_zh: str, doing: str
) -> None:
    if state.status not in allowed:
        raise Conflict(
            f"整改事项当前状态为“{STATUS_ZH[state.status]}”，不能{doing_zh}",
            f"the item is {state.status.value}; it cannot be {doing}",
            code="illegal_transition",
        )


def _require_text(value: str, field_name: str, label_zh: str) -> str:
    text = value.strip()
    if not text:
        raise Invalid(f"{label_zh}不能为空", f"{field_name} must not be empty", field=field_name)
    return text


def days_for(rules: CampaignRules, severity: Severity) -> int:
    return {
        Severity.low: rules.rectification_days_low,
        Severity.medium: rules.rectification_days_medium,
        Severity.high: rules.rectification_days_high,
    }[severity]


class ItemDecider:
    def initial_state(self) -> ItemState | None:
        return None

    def decide(self, command: ItemCommand, state: ItemState | None) -> Sequence[DomainEvent]:
        if isinstance(command, OpenItem):
            return self._open(command, state)
        item = _require_opened(state)
        if isinstance(command, CheckDeadline):
            return self._check(command, item)
        if isinstance(command, NameResponsiblePerson):
            require_agency_or_office(command.actor, item.agency_id, item.region_code)
            _require_status(item, WORKING | {ItemStatus.completed}, "更换责任人", "reassigned")
            person = _require_text(command.responsible_person, "responsible_person", "责任人")
            return [
                ResponsiblePersonNamed(
                    item_id=item.item_id, responsible_person=person, named_at=command.at
                )
            ]
        if isinstance(command, ReportProgress):
            require_agency_staff(command.actor, item.agency_id)
            _require_status(item, WORKING, "报告进展", "reported on")
            return [
                RectificationProgressReported(
                    item_id=item.item_id,
                    note=_require_text(command.note, "note", "进展说明"),
                    percent=command.percent,
                    evidence=command.evidence,
                    reported_at=command.at,
                )
            ]
        if isinstance(command, CompleteItem):
            require_agency_staff(command.actor, item.agency_id)
            _require_status(item, WORKING, "报告完成", "reported complete")
            return [
                RectificationCompleted(
                    item_id=item.item_id,
                    measures=_require_text(command.measures, "measures", "整改措施"),
                    evidence=command.evidence,
                    completed_at=command.at,
                )
            ]
        if isinstance(command, VerifyItem):
            require_office(command.actor, item.region_code)
            _require_status(item, frozenset({ItemStatus.completed}), "核验销号", "verified")
            return [
                RectificationVerified(
                    item_id=item.item_id,
                    office=command.actor.organisation,
                    note=command.note.strip(),
                    verified_at=command.at,
                )
            ]
        if isinstance(command, ReturnItem):
            require_office(command.actor, item.region_code)
            _require_status(item, frozenset({ItemStatus.completed}), "退回", "returned")
            return [
                RectificationReturned(
                    item_id=item.item_id,
                    office=command.actor.organisation,
                    reasons=_require_text(command.reasons, "reasons", "退回理由"),
                    returned_at=command.at,
                )
            ]
        if isinstance(command, RequestExtension):
            return self._request_extension(command, item)
        if isinstance(command, ApproveExtension):
            require_office(command.actor, item.region_code)
            pending = self._pending(item)
            return [
                RectificationExtended(
                    item_id=item.item_id,
                    previous_due_on=item.due_on,
                    due_on=pending.due_on,
                    reason=pending.reason,
                    office=command.actor.organisation,
                    extended_at=command.at,
                )
            ]
        if isinstance(command, DeclineExtension):
            require_office(command.actor, item.region_code)
            self._pending(item)
            return [
                RectificationExtensionDeclined(
                    item_id=item.item_id,
                    office=command.actor.organisation,
                    reasons=_require_text(command.reasons, "reasons", "不予延期理由"),
                    declined_at=command.at,
                )
            ]
        raise TypeError(f"unknown command {command!r}")

    def _open(self, command: OpenItem, state: ItemState | None) -> Sequence[DomainEvent]:
        problem = command.problem
        if state is not None:
            raise Conflict(
                f"问题 {problem.problem_id} 已建立整改事项 {state.item_id}",
                f"problem {problem.problem_id} already has rectification item {state.item_id}",
                code="already_opened",
            )
        days = days_for(command.rules, problem.severity)
        due_on = initial_due_on(
            local_date(problem.found_at),
            days,
            command.rectification_starts_on,
            command.rectification_ends_on,
        )
        return [
            RectificationOpened(
                item_id=item_id_for(problem.problem_id),
                problem_id=problem.problem_id,
                campaign_id=problem.campaign_id,
                agency_id=problem.agency_id,
                region_code=problem.region_code,
                category=problem.category,
                kind=problem.kind,
                severity=problem.severity,
                summary=problem.summary,
                responsible_person=PLACEHOLDER_RESPONSIBLE_PERSON,
                due_on=due_on,
                due_lead_days=command.rules.due_lead_days,
                escalation_grace_days=command.rules.escalation_grace_days,
                rectification_ends_on=command.rectification_ends_on,
                campaign_rules_known=command.rules_known,
                opened_at=command.at,
            )
        ]

    def _request_extension(
        self, command: RequestExtension, item: ItemState
    ) -> Sequence[DomainEvent]:
        require_agency_staff(command.actor, item.agency_id)
        _require_status(item, WORKING, "申请延期", "extended")
        if item.pending_extension is not None:
            raise Conflict(
                "已有待审批的延期申请",
                "an extension request is already waiting for the legal office",
                code="extension_pending",
            )
        if command.due_on <= item.due_on:
            raise Invalid(
                f"延期后的时限必须晚于当前时限 {item.due_on.isoformat()}",
                f"due_on must be later than the current deadline {item.due_on.isoformat()}",
                field="due_on",
            )
        return [
            RectificationExtensionRequested(
                item_id=item.item_id,
                requested_due_on=command.due_on,
                reason=_require_text(command.reason, "reason", "延期理由"),
                requested_at=command.at,
            )
        ]

    def _pending(self, item: ItemState) -> PendingExtension:
        if item.pending_extension is None:
            raise Conflict(
                "没有待审批的延期申请", "there is no extension request to decide", code="no_request"
            )
        return item.pending_extension

    def _check(self, command: CheckDeadline, item: ItemState) -> Sequence[DomainEvent]:
        """Every threshold reached and not yet emitted for the current deadline, in order.
        An item completed (awaiting verification) or verified is not chased."""
        if item.status not in WORKING:
            return []
        events: list[DomainEvent] = []
        for threshold in DeadlineThreshold:
            if item.reached(threshold) or command.at < threshold_moment(item, threshold):
                continue
            common: dict[str, Any] = {
                "item_id": item.item_id,
                "agency_id": item.agency_id,
                "region_code": item.region_code,
                "due_on": item.due_on,
                "at": command.at,
            }
            if threshold is DeadlineThreshold.due:
                events.append(RectificationDue(**common))
            elif threshold is DeadlineThreshold.overdue:
                events.append(RectificationOverdue(**common))
            else:
                events.append(
                    RectificationEscalated(
                        **common, escalated_to_region=next_level_up(item.region_code)
                    )
                )
        return events

    def evolve(self, state: ItemState | None, event: DomainEvent) -> ItemState | None:
        if isinstance(event, RectificationOpened):
            return ItemState(
                item_id=event.item_id,
                problem_id=event.problem_id,
                campaign_id=event.campaign_id,
                agency_id=event.agency_id,
                region_code=event.region_code,
                category=event.category.value,
                kind=event.kind,
                severity=event.severity.value,
                summary=event.summary,
                responsible_person=event.responsible_person,
                due_on=event.due_on,
                due_lead_days=event.due_lead_days,
                escalation_grace_days=event.escalation_grace_days,
                rectification_ends_on=event.rectification_ends_on,
                opened_at=event.opened_at,
                updated_at=event.opened_at,
            )
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
        if isinstance(event, RectificationDue):
            return _mark(state, DeadlineThreshold.due, event.due_on)
        if isinstance(event, RectificationOverdue):
            return _mark(state, DeadlineThreshold.overdue, event.due_on)
        if isinstance(event, RectificationEscalated):
            return _mark(state, DeadlineThreshold.escalated, event.due_on)
        return state


def _mark(state: ItemState, threshold: DeadlineThreshold, due_on: date) -> ItemState:
    return replace(state, emitted=state.emitted | {(threshold, due_on)})


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
