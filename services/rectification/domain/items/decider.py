"""What each command on a rectification item decides: the access rule, the status it
may be asked in, the input it needs, and the events it emits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
from shared.actors import Actor
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
from shared.fields import copy_fields
from shared.text import not_blank
from shared.vocabulary import Severity

COMPLETED = frozenset({ItemStatus.completed})


def _require_opened(state: ItemState | None) -> ItemState:
    if state is None:
        raise Conflict("整改事项尚未建立", "the rectification item has not been opened")
    return state


def days_for(rules: CampaignRules, severity: Severity) -> int:
    return {
        Severity.low: rules.rectification_days_low,
        Severity.medium: rules.rectification_days_medium,
        Severity.high: rules.rectification_days_high,
    }[severity]


def _agency(actor: Actor, item: ItemState) -> None:
    require_agency_staff(actor, item.agency_id)


def _office(actor: Actor, item: ItemState) -> None:
    require_office(actor, item.region_code)


def _agency_or_office(actor: Actor, item: ItemState) -> None:
    require_agency_or_office(actor, item.agency_id, item.region_code)


@dataclass(frozen=True)
class Rule:
    """Who may ask for a step on an item, and in which statuses (``None``: the step
    checks the item itself); ``doing`` names the step in a refusal (zh, en)."""

    may_ask: Callable[[Actor, ItemState], None]
    allowed: frozenset[ItemStatus] | None = None
    doing: tuple[str, str] = ("", "")

    def check(self, actor: Actor, item: ItemState) -> None:
        self.may_ask(actor, item)
        if self.allowed is not None and item.status not in self.allowed:
            doing_zh, doing = self.doing
            raise Conflict(
                f"整改事项当前状态为“{STATUS_ZH[item.status]}”，不能{doing_zh}",
                f"the item is {item.status.value}; it cannot be {doing}",
                code="illegal_transition",
            )


# The agency works on its items; the legal office of the item's region (or above)
# decides on a reported completion and on an extension.
RULES: dict[type, Rule] = {
    NameResponsiblePerson: Rule(
        _agency_or_office, WORKING | COMPLETED, ("更换责任人", "reassigned")
    ),
    ReportProgress: Rule(_agency, WORKING, ("报告进展", "reported on")),
    CompleteItem: Rule(_agency, WORKING, ("报告完成", "reported complete")),
    RequestExtension: Rule(_agency, WORKING, ("申请延期", "extended")),
    VerifyItem: Rule(_office, COMPLETED, ("核验销号", "verified")),
    ReturnItem: Rule(_office, COMPLETED, ("退回", "returned")),
    ApproveExtension: Rule(_office),
    DeclineExtension: Rule(_office),
}


class ItemDecider:
    def initial_state(self) -> ItemState | None:
        return None

    def decide(self, command: ItemCommand, state: ItemState | None) -> Sequence[DomainEvent]:
        if isinstance(command, OpenItem):
            return self._open(command, state)
        item = _require_opened(state)
        if isinstance(command, CheckDeadline):
            return thresholds_reached(item, command.at)
        rule = RULES.get(type(command))
        if rule is None:
            raise TypeError(f"unknown command {command!r}")
        rule.check(command.actor, item)
        return [self._step(command, item)]

    def _step(self, command: ItemCommand, item: ItemState) -> DomainEvent:
        """The event of a step its rule allows."""
        if isinstance(command, NameResponsiblePerson):
            return ResponsiblePersonNamed(
                item_id=item.item_id,
                responsible_person=not_blank(
                    command.responsible_person, "responsible_person", "责任人"
                ),
                named_at=command.at,
            )
        if isinstance(command, ReportProgress):
            return RectificationProgressReported(
                item_id=item.item_id,
                note=not_blank(command.note, "note", "进展说明"),
                percent=command.percent,
                evidence=command.evidence,
                reported_at=command.at,
            )
        if isinstance(command, CompleteItem):
            return RectificationCompleted(
                item_id=item.item_id,
                measures=not_blank(command.measures, "measures", "整改措施"),
                evidence=command.evidence,
                completed_at=command.at,
            )
        if isinstance(command, RequestExtension):
            return self._request_extension(command, item)
        return self._verdict(command, item)

    def _verdict(self, command: ItemCommand, item: ItemState) -> DomainEvent:
        """The legal office's decisions on a completion and on an extension request."""
        if isinstance(command, VerifyItem):
            return RectificationVerified(
                item_id=item.item_id,
                office=command.actor.organisation,
                note=command.note.strip(),
                verified_at=command.at,
            )
        if isinstance(command, ReturnItem):
            return RectificationReturned(
                item_id=item.item_id,
                office=command.actor.organisation,
                reasons=not_blank(command.reasons, "reasons", "退回理由"),
                returned_at=command.at,
            )
        if isinstance(command, ApproveExtension):
            pending = self._pending(item)
            return RectificationExtended(
                item_id=item.item_id,
                previous_due_on=item.due_on,
                due_on=pending.due_on,
                reason=pending.reason,
                office=command.actor.organisation,
                extended_at=command.at,
            )
        if isinstance(command, DeclineExtension):
            self._pending(item)
            return RectificationExtensionDeclined(
                item_id=item.item_id,
                office=command.actor.organisation,
                reasons=not_blank(command.reasons, "reasons", "不予延期理由"),
                declined_at=command.at,
            )
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
        # The item carries the facts of its problem.
        return [
            copy_fields(
                problem,
                RectificationOpened,
                item_id=item_id_for(problem.problem_id),
                responsible_person=PLACEHOLDER_RESPONSIBLE_PERSON,
                due_on=due_on,
                due_lead_days=command.rules.due_lead_days,
                escalation_grace_days=command.rules.escalation_grace_days,
                rectification_ends_on=command.rectification_ends_on,
                campaign_rules_known=command.rules_known,
                opened_at=command.at,
            )
        ]

    def _request_extension(self, command: RequestExtension, item: ItemState) -> DomainEvent:
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
        return RectificationExtensionRequested(
            item_id=item.item_id,
            requested_due_on=command.due_on,
            reason=not_blank(command.reason, "reason", "延期理由"),
            requested_at=command.at,
        )

    def _pending(self, item: ItemState) -> PendingExtension:
        if item.pending_extension is None:
            raise Conflict(
                "没有待审批的延期申请", "there is no extension request to decide", code="no_request"
            )
        return item.pending_extension

    def evolve(self, state: ItemState | None, event: DomainEvent) -> ItemState | None:
        return evolve(state, event)
