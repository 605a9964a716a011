"""The tip: received → triaged (accepted, rejected, merged, assigned, transferred)
→ verified (substantiated or unsubstantiated); escalated once per stage when late."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.auth import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.base import DomainEvent
from shared.events.intake import (
    ContactDecrypted,
    ContactErased,
    TipAccepted,
    TipAssigned,
    TipChannel,
    TipEscalated,
    TipMerged,
    TipReceived,
    TipRejected,
    TipStage,
    TipSubstantiated,
    TipTransferred,
    TipUnsubstantiated,
)
from shared.regions import jiangxi

from .access import may_see, no_such_tip, require_region, require_role
from .calendar import local_date
from .commands import (
    AcceptTip,
    AssignTip,
    DecryptContact,
    EraseContact,
    EscalateTip,
    MergeTip,
    ReceiveTip,
    RejectTip,
    SubstantiateTip,
    TipCommand,
    TransferTip,
    UnsubstantiateTip,
)
from .kinds import check_kind


class TipStatus(StrEnum):
    new = "new"
    received = "received"
    accepted = "accepted"
    assigned = "assigned"
    rejected = "rejected"
    merged = "merged"
    substantiated = "substantiated"
    unsubstantiated = "unsubstantiated"


STATUS_ZH: dict[TipStatus, str] = {
    TipStatus.new: "未受理",
    TipStatus.received: "已收到，待受理",
    TipStatus.accepted: "已受理",
    TipStatus.assigned: "已交办核查",
    TipStatus.rejected: "不予受理（已转有关部门）",
    TipStatus.merged: "已与同一问题的其他线索合并办理",
    TipStatus.substantiated: "经核查属实",
    TipStatus.unsubstantiated: "经核查不属实",
}

TRIAGE_OPEN = (TipStatus.received, TipStatus.accepted)
VERIFICATION_OPEN = (TipStatus.accepted, TipStatus.assigned)
TRIAGE_ROLES = (Role.intake_officer,)
VERIFICATION_ROLES = (Role.intake_officer, Role.legal_office)
CONTACT_ROLES = (Role.intake_officer, Role.legal_office, Role.discipline_liaison)
ERASE_ROLES = (Role.legal_office, Role.admin)
# The channels a citizen reaches the campaign through; every other channel is the
# campaign's own work (inspections, forums, reviews, referrals) and is filed by an officer.
PUBLIC_CHANNELS = frozenset(
    {TipChannel.hotline, TipChannel.letter, TipChannel.visit, TipChannel.website, TipChannel.media}
)
INTERNAL_FILERS = (Role.intake_officer, Role.legal_office)
SYSTEM_CHANNELS = frozenset({TipChannel.public_evaluation})
# Who may read a tip's sealed words (description, attachment names, findings).
TEXT_ROLES = (Role.intake_officer, Role.legal_office)


@dataclass(frozen=True)
class TipState:
    status: TipStatus = TipStatus.new
    tip_id: str = ""
    campaign_id: str = ""
    channel: TipChannel | None = None
    region_code: str = ""
    handling_region_code: str = ""
    agency_id: str = ""
    description: str = ""
    has_contact: bool = False
    sealed_contact: str = ""
    receipt_lookup: str = ""
    sealed_receipt: str = ""
    idempotency_lookup: str = ""
    request_fingerprint: str = ""
    triage_due_at: datetime | None = None
    verification_due_at: datetime | None = None
    escalated: frozenset[TipStage] = frozenset()
    assignee: str = ""
    merged_into: str = ""
    referred_to: str = ""
    problem_ids: tuple[str, ...] = ()
    substantiation: TipSubstantiated | None = None
    contact_reads: int = 0
    contact_erased: bool = False
    received_at: datetime | None = None
    updated_at: datetime | None = None


def visible_to(actor: Actor, state: TipState) -> bool:
    """Whether ``actor`` may know that this tip exists at all."""
    if state.status is TipStatus.new:
        return False
    return may_see(actor, state.region_code, state.handling_region_code)


def roles_for(command: TipCommand) -> tuple[Role, ...]:
    """The roles that may issue ``command`` on some tip."""
    if isinstance(command, SubstantiateTip | UnsubstantiateTip):
        return VERIFICATION_ROLES
    if isinstance(command, DecryptContact):
        return CONTACT_ROLES
    if isinstance(command, EraseContact):
        return ERASE_ROLES
    return TRIAGE_ROLES


def pending_deadline(state: TipState) -> tuple[TipStage, datetime] | None:
    """The stage an open tip is in and when it is due, unless the tip is closed or was
    already escalated at that stage (once per stage)."""
    if state.status is TipStatus.received:
        stage, due_at = TipStage.triage, state.triage_due_at
    elif state.status in VERIFICATION_OPEN:
        stage, due_at = TipStage.verification, state.verification_due_at
    else:
        return None
    if due_at is None or stage in state.escalated:
        return None
    return stage, due_at


def escalation_due(state: TipState) -> datetime | None:
    """When the deadline watcher should escalate this tip (None: nothing pending)."""
    pending = pending_deadline(state)
    return pending[1] if pending is not None else None


def _not_blank(value: str, field: str, zh: str, en: str) -> None:
    if not value.strip():
        raise Invalid(f"{zh}不能为空", f"{en} must not be empty", field=field)


def _known_region(code: str, field: str) -> None:
    if code not in jiangxi():
        raise Invalid(
            f"地区代码 {code!r} 不是江西省的行政区划代码",
            f"region code {code!r} is not a Jiangxi GB/T 2260 division",
            field=field,
        )


def _check_filer(c: ReceiveTip) -> None:
    """The public files under the public channels only; an internal channel needs an
    officer of the tip's region; evaluation meetings' channel is the platform's own."""
    if c.by_system or c.channel in PUBLIC_CHANNELS:
        return
    if c.channel in SYSTEM_CHANNELS:
        raise Invalid(
            "民主评议会渠道的线索只能由评议系统转入",
            "public_evaluation tips come only from evaluation meetings",
            field="channel",
        )
    if c.filer is None or c.filer.role not in INTERNAL_FILERS:
        raise Forbidden(
            f"“{c.channel.value}”是内部渠道，只有线索受理人员或法制部门可以登记",
            f"channel {c.channel.value} is internal: only an intake officer or a legal office "
            "may file under it",
            field="channel",
            code="channel_not_allowed",
        )
    require_region(c.filer, c.region_code)


def _refuse_status(state: TipState, action_zh: str, action_en: str) -> Conflict:
    return Conflict(
        f"线索 {state.tip_id} 当前状态为“{STATUS_ZH[state.status]}”，不能{action_zh}",
        f"tip {state.tip_id} is {state.status.value}; it cannot be {action_en}",
        code="illegal_transition",
    )


class TipDecider:
    def initial_state(self) -> TipState:
        return TipState()

    def decide(self, command: TipCommand, state: TipState) -> Sequence[DomainEvent]:
        if isinstance(command, ReceiveTip):
            return self._receive(command, state)
        if isinstance(command, EscalateTip):
            if state.status is TipStatus.new:
                raise no_such_tip()
            return self._escalate(command, state)
        # The role first (it does not depend on the tip), then one answer for a tip
        # that does not exist and one the actor may not see.
        require_role(command.actor, *roles_for(command))
        if not visible_to(command.actor, state):
            raise no_such_tip()
        if isinstance(command, DecryptContact):
            return self._decrypt(command, state)
        if isinstance(command, EraseContact):
            return self._erase(command, state)
        if isinstance(command, SubstantiateTip | UnsubstantiateTip):
            return self._verify(command, state)
        return self._triage(command, state)

    # -- receiving -------------------------------------------------------------------

    def _receive(self, c: ReceiveTip, state: TipState) -> list[DomainEvent]:
        if state.status is not TipStatus.new:
            raise Conflict(
                f"线索 {c.tip_id} 已经收到",
                f"tip {c.tip_id} was already received",
                code="duplicate",
            )
        _known_region(c.region_code, "region_code")
        _check_filer(c)
        _not_blank(c.description, "description", "问题描述", "description")
        if c.occurred_on > local_date(c.at):
            raise Invalid(
                "发生日期不能晚于今天", "occurred_on must not be in the future", field="occurred_on"
            )
        return [
            TipReceived(
                tip_id=c.tip_id,
                campaign_id=c.campaign_id,
                channel=c.channel,
                region_code=c.region_code,
                agency_id=c.agency_id,
                agency_text=c.agency_text,
                power=c.power,
                description=c.description,
                occurred_on=c.occurred_on,
                attachments=c.attachments,
                anonymous=not c.sealed_contact,
                sealed_contact=c.sealed_contact,
                receipt_lookup=c.receipt_lookup,
                sealed_receipt=c.sealed_receipt,
                idempotency_lookup=c.idempotency_lookup,
                request_fingerprint=c.request_fingerprint,
                origin_ref=c.origin_ref,
                triage_due_at=c.triage_due_at,
                received_at=c.at,
            )
        ]

    # -- triage ----------------------------------------------------------------------

    def _officer_of_region(self, actor: Actor, state: TipState, *roles: Role) -> None:
        require_role(actor, *roles)
        require_region(actor, state.handling_region_code)

    def _triage(self, c: TipCommand, state: TipState) -> list[DomainEvent]:
        if isinstance(c, AcceptTip):
            self._officer_of_region(c.actor, state, *TRIAGE_ROLES)
            if state.status is not TipStatus.received:
                raise _refuse_status(state, "再次受理", "accepted")
            return [
                TipAccepted(
                    tip_id=state.tip_id,
                    note=c.note,
                    verification_due_at=c.verification_due_at,
                    accepted_at=c.at,
                )
            ]
        if isinstance(c, RejectTip):
            self._officer_of_region(c.actor, state, *TRIAGE_ROLES)
            if state.status not in TRIAGE_OPEN:
                raise _refuse_status(state, "不予受理", "rejected")
            _not_blank(c.reason, "reason", "不予受理的理由", "reason")
            return [
                TipRejected(
                    tip_id=state.tip_id,
                    reason=c.reason,
                    referred_to=c.referred_to,
                    rejected_at=c.at,
                )
            ]
        if isinstance(c, MergeTip):
            return self._merge(c, state)
        if isinstance(c, AssignTip):
            self._officer_of_region(c.actor, state, *TRIAGE_ROLES)
            if state.status not in TRIAGE_OPEN:
                raise _refuse_status(state, "交办", "assigned")
            _not_blank(c.assignee, "assignee", "承办单位", "assignee")
            return [
                TipAssigned(
                    tip_id=state.tip_id,
                    assignee=c.assignee,
                    note=c.note,
                    verification_due_at=c.verification_due_at,
                    assigned_at=c.at,
                )
            ]
        if isinstance(c, TransferTip):
            self._officer_of_region(c.actor, state, *TRIAGE_ROLES)
            if state.status not in TRIAGE_OPEN:
                raise _refuse_status(state, "转办", "transferred")
            _known_region(c.to_region_code, "to_region_code")
            _not_blank(c.reason, "reason", "转办理由", "reason")
            if c.to_region_code == state.handling_region_code:
                raise Invalid(
                    "转入地区与当前承办地区相同",
                    "to_region_code is the region already handling the tip",
                    field="to_region_code",
                )
            return [
                TipTransferred(
                    tip_id=state.tip_id,
                    from_region_code=state.handling_region_code,
                    to_region_code=c.to_region_code,
                    reason=c.reason,
                    triage_due_at=c.triage_due_at,
                    transferred_at=c.at,
                )
            ]
        raise TypeError(f"not a tip command: {c!r}")

    def _merge(self, c: MergeTip, state: TipState) -> list[DomainEvent]:
        self._officer_of_region(c.actor, state, *TRIAGE_ROLES)
        if state.status not in TRIAGE_OPEN:
            raise _refuse_status(state, "合并", "merged")
        if c.into_tip_id == state.tip_id:
            raise Invalid(
                "线索不能与自身合并", "a tip cannot be merged into itself", field="into_tip_id"
            )
        # The target is judged from its own state: an actor who may not see it gets
        # the answer an unknown id gets, and must be entitled to act on it as well.
        target = c.into
        if (
            target is None
            or target.tip_id != c.into_tip_id
            or target.status == TipStatus.new
            or not may_see(c.actor, target.region_code, target.handling_region_code)
        ):
            raise no_such_tip("into_tip_id")
        require_region(c.actor, target.handling_region_code)
        if target.status in (TipStatus.rejected, TipStatus.merged):
            raise Conflict(
                f"目标线索 {c.into_tip_id} 已不予受理或已被合并，不能作为合并目标",
                f"target tip {c.into_tip_id} is {target.status}; merge into an open tip",
                field="into_tip_id",
                code="illegal_transition",
            )
        if target.campaign_id != state.campaign_id:
            raise Conflict(
                "目标线索属于另一专项治理活动",
                "the target tip belongs to another campaign",
                field="into_tip_id",
            )
        return [TipMerged(tip_id=state.tip_id, into_tip_id=c.into_tip_id, merged_at=c.at)]

    # -- deadlines -------------------------------------------------------------------

    def _escalate(self, c: EscalateTip, state: TipState) -> list[DomainEvent]:
        pending = pending_deadline(state)
        if pending is None or c.at < pending[1]:
            return []
        stage, due_at = pending
        parent = jiangxi().parent(state.handling_region_code)
        to_region = parent.code if parent is not None else state.handling_region_code
        return [
            TipEscalated(
                tip_id=state.tip_id,
                stage=stage,
                due_at=due_at,
                from_region_code=state.handling_region_code,
                to_region_code=to_region,
                escalated_at=c.at,
            )
        ]

    # -- verification ----------------------------------------------------------------

    def _verify(self, c: SubstantiateTip | UnsubstantiateTip, state: TipState) -> list[DomainEvent]:
        self._officer_of_region(c.actor, state, *VERIFICATION_ROLES)
        if isinstance(c, UnsubstantiateTip):
            if state.status not in VERIFICATION_OPEN:
                raise _refuse_status(state, "作出核查结论", "verified")
            _not_blank(c.reason, "reason", "核查不属实的理由", "reason")
            return [
                TipUnsubstantiated(tip_id=state.tip_id, reason=c.reason, unsubstantiated_at=c.at)
            ]
        if state.status not in VERIFICATION_OPEN:
            raise _refuse_status(state, "作出核查结论", "verified")
        _not_blank(c.findings, "findings", "核查结论", "findings")
        if not c.problems:
            raise Invalid(
                "核查属实时至少列出一个问题",
                "a substantiated tip lists at least one problem",
                field="problems",
            )
        for index, problem in enumerate(c.problems):
            check_kind(problem.category, problem.kind, f"problems.{index}.kind")
            _not_blank(problem.summary, f"problems.{index}.summary", "问题摘要", "summary")
        backing = (state.tip_id, *(t for t in c.merged_tip_ids if t != state.tip_id))
        return [
            TipSubstantiated(
                tip_id=state.tip_id,
                findings=c.findings,
                problems=c.problems,
                backing_tip_ids=backing,
                phase=c.phase,
                substantiated_at=c.at,
            )
        ]

    # -- personal data ---------------------------------------------------------------

    def _decrypt(self, c: DecryptContact, state: TipState) -> list[DomainEvent]:
        self._officer_of_region(c.actor, state, *CONTACT_ROLES)
        if not state.has_contact:
            raise Conflict(
                "这是匿名线索，没有联系方式", "this tip is anonymous: it has no contact details"
            )
        if state.contact_erased:
            raise Conflict("举报人联系方式已删除", "the tipster's contact was erased")
        _not_blank(c.purpose, "purpose", "查看目的", "purpose")
        return [
            ContactDecrypted(
                tip_id=state.tip_id,
                decrypted_by=c.actor.as_extension(),
                purpose=c.purpose,
                decrypted_at=c.at,
            )
        ]

    def _erase(self, c: EraseContact, state: TipState) -> list[DomainEvent]:
        self._officer_of_region(c.actor, state, *ERASE_ROLES)
        if not state.has_contact:
            raise Conflict(
                "这是匿名线索，没有联系方式", "this tip is anonymous: it has no contact details"
            )
        if state.contact_erased:
            raise Conflict(
                "举报人联系方式已删除", "the tipster's contact was already erased", code="duplicate"
            )
        _not_blank(c.reason, "reason", "删除理由", "reason")
        return [
            ContactErased(
                tip_id=state.tip_id,
                erased_by=c.actor.as_extension(),
                reason=c.reason,
                erased_at=c.at,
            )
        ]

    # -- evolving --------------------------------------------------------------------

    def evolve(self, state: TipState, event: DomainEvent) -> TipState:
        if isinstance(event, TipReceived):
            return replace(
                state,
                status=TipStatus.received,
                tip_id=event.tip_id,
                campaign_id=event.campaign_id,
                channel=event.channel,
                region_code=event.region_code,
                handling_region_code=event.region_code,
                agency_id=event.agency_id,
                description=event.description,
                has_contact=bool(event.sealed_contact),
                sealed_contact=event.sealed_contact,
                receipt_lookup=event.receipt_lookup,
                sealed_receipt=event.sealed_receipt,
                idempotency_lookup=event.idempotency_lookup,
                request_fingerprint=event.request_fingerprint,
                triage_due_at=event.triage_due_at,
                received_at=event.received_at,
                updated_at=event.received_at,
            )
        if isinstance(event, TipAccepted):
            return replace(
                state,
                status=TipStatus.accepted,
                verification_due_at=event.verification_due_at,
                updated_at=event.accepted_at,
            )
        if isinstance(event, TipRejected):
            return replace(
                state,
                status=TipStatus.rejected,
                referred_to=event.referred_to,
                updated_at=event.rejected_at,
            )
        if isinstance(event, TipMerged):
            return replace(
                state,
                status=TipStatus.merged,
                merged_into=event.into_tip_id,
                updated_at=event.merged_at,
            )
        if isinstance(event, TipAssigned):
            return replace(
                state,
                status=TipStatus.assigned,
                assignee=event.assignee,
                verification_due_at=event.verification_due_at,
                updated_at=event.assigned_at,
            )
        if isinstance(event, TipTransferred):
            return replace(
                state,
                status=TipStatus.received,
                region_code=event.to_region_code,
                handling_region_code=event.to_region_code,
                triage_due_at=event.triage_due_at,
                updated_at=event.transferred_at,
            )
        if isinstance(event, TipEscalated):
            return replace(
                state,
                handling_region_code=event.to_region_code,
                escalated=state.escalated | {event.stage},
                updated_at=event.escalated_at,
            )
        if isinstance(event, TipSubstantiated):
            return replace(
                state,
                status=TipStatus.substantiated,
                problem_ids=tuple(p.problem_id for p in event.problems),
                substantiation=event,
                updated_at=event.substantiated_at,
            )
        if isinstance(event, TipUnsubstantiated):
            return replace(
                state, status=TipStatus.unsubstantiated, updated_at=event.unsubstantiated_at
            )
        if isinstance(event, ContactDecrypted):
            return replace(state, contact_reads=state.contact_reads + 1)
        if isinstance(event, ContactErased):
            return replace(state, contact_erased=True)
        return state
