"""What each command on a rectification item decides: the access rule, the status it
may be asked in, the input it needs, and the events it emits."""

from __future__ import annotations

from collections.abc import Sequence

from services.rectification.domain.access import (
    require_agency_or_office,
    require_agency_staff,
    require_office,
)
from services.rectification.domain.calendar import initial_due_on
from services.rectification.domain.items.commands import (
    ApproveExtension,
    CheckDeadline,
    CompleteItem,
    DeclineExtension,
    ItemCommand,
    NameResponsiblePerson,
    OpenItem,
    ReportProgress,
    RequestExtension,
    ReturnItem,
    VerifyItem,
)
from services.rectification.domain.items.deadlines import thresholds_reached
from services.rectification.domain.items.state import (
    STATUS_ZH,
    WORKING,
    ItemState,
    ItemStatus,
    PendingExtension,
    evolve,
    item_id_for,
)
from shared.clock import local_date
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.directory import CampaignRules
from shared.events.rectification import (
    PLACEHOLDER_RESPONSIBLE_PERSON,
    RectificationCompleted,
    RectificationExtended,
    RectificationExtensionDeclined,
    RectificationExtensionRequested,
    RectificationOpened,
    RectificationProgressReported,
    RectificationReturned,
    RectificationVerified,
    ResponsiblePersonNamed,
)
from shared.vocabulary import Severity

COMPLETED = frozenset({ItemStatus.completed})


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
            return thresholds_reached(item, command.at)
        if isinstance(command, NameResponsiblePerson):
            require_agency_or_office(command.actor, item.agency_id, item.region_code)
            _require_status(item, WORKING | COMPLETED, "更换责任人", "reassigned")
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
        return self._verdict(command, item)

    def _verdict(self, command: ItemCommand, item: ItemState) -> Sequence[DomainEvent]:
        """The legal office's decisions on an item, and the agency's extension request."""
        if isinstance(command, VerifyItem):
            require_office(command.actor, item.region_code)
            _require_status(item, COMPLETED, "核验销号", "verified")
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
            _require_status(item, COMPLETED, "退回", "returned")
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

    def evolve(self, state: ItemState | None, event: DomainEvent) -> ItemState | None:
        return evolve(state, event)
