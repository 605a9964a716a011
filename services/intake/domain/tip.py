"""The tip: received → triaged (accepted, rejected, merged, assigned, transferred)
→ verified (substantiated or unsubstantiated); escalated once per stage when late."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from shared.clock import local_date
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.intake import (
    ContactDecrypted,
    ContactErased,
    TipAccepted,
    TipAssigned,
    TipEscalated,
    TipMerged,
    TipReceived,
    TipRejected,
    TipSubstantiated,
    TipTextDecrypted,
    TipTransferred,
    TipUnsubstantiated,
)
from shared.regions import jiangxi, known_region
from shared.vocabulary import check_kind

from .access import may_see, no_such_tip, require_region, require_role
from .commands import (
    AcceptTip,
    AssignTip,
    DecryptContact,
    DecryptText,
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
from .tip_checks import check_filer, not_blank, refuse_status, require_sealed, sealed_words
from .tip_state import (
    CONTACT_ROLES,
    ERASE_ROLES,
    RULES,
    STATUS_ZH,
    TEXT_ROLES,
    TRIAGE_ROLES,
    VERIFICATION_ROLES,
    TipState,
    TipStatus,
    escalation_due,
    evolve_tip,
    pending_deadline,
    roles_for,
    visible_to,
)

__all__ = [
    "CONTACT_ROLES",
    "ERASE_ROLES",
    "STATUS_ZH",
    "TEXT_ROLES",
    "TRIAGE_ROLES",
    "VERIFICATION_ROLES",
    "TipDecider",
    "TipState",
    "TipStatus",
    "escalation_due",
    "pending_deadline",
    "roles_for",
    "visible_to",
]


class TipDecider:
    # What a tip is folded from.
    events: ClassVar[tuple[type[DomainEvent], ...]] = (
        TipReceived,
        TipAccepted,
        TipRejected,
        TipMerged,
        TipAssigned,
        TipTransferred,
        TipEscalated,
        TipSubstantiated,
        TipUnsubstantiated,
        ContactDecrypted,
        TipTextDecrypted,
        ContactErased,
    )

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
        # that does not exist and one the actor may not see; then the command's rule:
        # the actor of the region handling the tip, the tip in a status it moves from.
        rule = RULES[type(command)]
        require_role(command.actor, *rule.roles)
        if not visible_to(command.actor, state):
            raise no_such_tip()
        if rule.handling_region:
            require_region(command.actor, state.handling_region_code)
        if rule.statuses and state.status not in rule.statuses:
            raise refuse_status(state, rule.action_zh, rule.action_en)
        if isinstance(command, DecryptContact):
            return self._decrypt(command, state)
        if isinstance(command, DecryptText):
            return self._decrypt_text(command, state)
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
        known_region(c.region_code, "region_code")
        check_filer(c)
        sealed_words(c.description, c.sealed_text, "description", "问题描述")
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
                power=c.power,
                occurred_on=c.occurred_on,
                # The names are the tipster's words: sealed with the description.
                attachments=tuple(a.model_copy(update={"file_name": ""}) for a in c.attachments),
                anonymous=not c.sealed_contact,
                sealed_text=c.sealed_text,
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

    def _triage(self, c: TipCommand, state: TipState) -> list[DomainEvent]:
        if isinstance(c, AcceptTip):
            require_sealed(c.note, c.sealed_note, "note")
            return [
                TipAccepted(
                    tip_id=state.tip_id,
                    sealed_note=c.sealed_note,
                    verification_due_at=c.verification_due_at,
                    accepted_at=c.at,
                )
            ]
        if isinstance(c, RejectTip):
            sealed_words(c.reason, c.sealed_reason, "reason", "不予受理的理由")
            return [
                TipRejected(
                    tip_id=state.tip_id,
                    sealed_reason=c.sealed_reason,
                    referred_to=c.referred_to,
                    rejected_at=c.at,
                )
            ]
        if isinstance(c, MergeTip):
            return self._merge(c, state)
        if isinstance(c, AssignTip):
            not_blank(c.assignee, "assignee", "承办单位", "assignee")
            require_sealed(c.note, c.sealed_note, "note")
            return [
                TipAssigned(
                    tip_id=state.tip_id,
                    assignee=c.assignee,
                    sealed_note=c.sealed_note,
                    verification_due_at=c.verification_due_at,
                    assigned_at=c.at,
                )
            ]
        if isinstance(c, TransferTip):
            return self._transfer(c, state)
        raise TypeError(f"not a tip command: {c!r}")

    def _transfer(self, c: TransferTip, state: TipState) -> list[DomainEvent]:
        known_region(c.to_region_code, "to_region_code")
        not_blank(c.reason, "reason", "转办理由", "reason")
        if c.to_region_code == state.handling_region_code:
            raise Invalid(
                "转入地区与当前承办地区相同",
                "to_region_code is the region already handling the tip",
                field="to_region_code",
            )
        require_sealed(c.reason, c.sealed_reason, "reason")
        return [
            TipTransferred(
                tip_id=state.tip_id,
                from_region_code=state.handling_region_code,
                to_region_code=c.to_region_code,
                sealed_reason=c.sealed_reason,
                triage_due_at=c.triage_due_at,
                transferred_at=c.at,
            )
        ]

    def _merge(self, c: MergeTip, state: TipState) -> list[DomainEvent]:
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
        if isinstance(c, UnsubstantiateTip):
            sealed_words(c.reason, c.sealed_reason, "reason", "核查不属实的理由")
            return [
                TipUnsubstantiated(
                    tip_id=state.tip_id, sealed_reason=c.sealed_reason, unsubstantiated_at=c.at
                )
            ]
        sealed_words(c.findings, c.sealed_findings, "findings", "核查结论")
        if not c.problems:
            raise Invalid(
                "核查属实时至少列出一个问题",
                "a substantiated tip lists at least one problem",
                field="problems",
            )
        for index, problem in enumerate(c.problems):
            check_kind(problem.category, problem.kind, f"problems.{index}.kind")
            not_blank(problem.summary, f"problems.{index}.summary", "问题摘要", "summary")
        backing = (state.tip_id, *(t for t in c.merged_tip_ids if t != state.tip_id))
        return [
            TipSubstantiated(
                tip_id=state.tip_id,
                sealed_findings=c.sealed_findings,
                problems=c.problems,
                backing_tip_ids=backing,
                phase=c.phase,
                substantiated_at=c.at,
            )
        ]

    # -- personal data ---------------------------------------------------------------

    def _decrypt(self, c: DecryptContact, state: TipState) -> list[DomainEvent]:
        if not state.has_contact:
            raise Conflict(
                "这是匿名线索，没有联系方式", "this tip is anonymous: it has no contact details"
            )
        if state.contact_erased:
            raise Conflict("举报人联系方式已删除", "the tipster's contact was erased")
        not_blank(c.purpose, "purpose", "查看目的", "purpose")
        return [
            ContactDecrypted(
                tip_id=state.tip_id,
                decrypted_by=c.actor.as_extension(),
                read_by=c.actor.subject,
                purpose=c.purpose,
                decrypted_at=c.at,
            )
        ]

    def _decrypt_text(self, c: DecryptText, state: TipState) -> list[DomainEvent]:
        if state.contact_erased:
            raise Conflict(
                "举报人已被删除，该线索的内容及相关记录已无法读取",
                "the tipster was erased: this tip's words and the notes about them can no "
                "longer be read",
                code="erased",
            )
        not_blank(c.purpose, "purpose", "查看目的", "purpose")
        return [
            TipTextDecrypted(
                tip_id=state.tip_id,
                read_by=c.actor.subject,
                office=c.actor.organisation,
                role=c.actor.role.value,
                region_code=c.actor.region_code,
                purpose=c.purpose,
                decrypted_at=c.at,
            )
        ]

    def _erase(self, c: EraseContact, state: TipState) -> list[DomainEvent]:
        # An anonymous tipster is erased too: their words are under the same key.
        if state.contact_erased:
            raise Conflict("举报人信息已删除", "the tipster was already erased", code="duplicate")
        not_blank(c.reason, "reason", "删除理由", "reason")
        return [
            ContactErased(
                tip_id=state.tip_id,
                erased_by=c.actor.as_extension(),
                reason=c.reason,
                erased_at=c.at,
            )
        ]

    def evolve(self, state: TipState, event: DomainEvent) -> TipState:
        return evolve_tip(state, event)
