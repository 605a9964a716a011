"""What each command on a typical case decides: who may ask it (a legal office or a
discipline liaison of the case's region or above; only an office exposes), the input
it needs, and the events it emits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from services.rectification.domain.access import require_office
from services.rectification.domain.cases.commands import (
    AcknowledgeReferral,
    CaseCommand,
    CheckReferrals,
    ExposeCase,
    ImposeAccountability,
    OpenCase,
    ReferCase,
)
from services.rectification.domain.cases.deadlines import referrals_overdue
from services.rectification.domain.cases.state import CaseState, evolve
from services.rectification.domain.redaction import redact
from shared.actors import Role
from shared.clock import local_date
from shared.errors import Conflict, Invalid, NotFound
from shared.events.base import DomainEvent
from shared.events.rectification import (
    AccountabilityImposed,
    CaseExposed,
    CaseOpened,
    CaseReferred,
    ReferralAcknowledged,
    ReferralBody,
)
from shared.fields import copy_fields
from shared.text import not_blank

CASE_ROLES = (Role.legal_office, Role.discipline_liaison)

BODY_ZH: dict[ReferralBody, str] = {
    ReferralBody.discipline_inspection: "纪检监察机关",
    ReferralBody.procuratorate: "检察机关",
}


class CaseDecider:
    def initial_state(self) -> CaseState | None:
        return None

    def decide(self, command: CaseCommand, state: CaseState | None) -> Sequence[DomainEvent]:
        if isinstance(command, OpenCase):
            return self._open(command, state)
        if state is None:
            raise Conflict("案件尚未立案", "the case has not been opened")
        if isinstance(command, CheckReferrals):
            return referrals_overdue(state, command.at)
        # Only a legal office exposes a case; a discipline liaison does all the rest.
        roles = () if isinstance(command, ExposeCase) else CASE_ROLES
        require_office(command.actor, state.region_code, *roles)
        if isinstance(command, ReferCase):
            return self._refer(command, state)
        if isinstance(command, AcknowledgeReferral):
            return self._acknowledge(command, state)
        if isinstance(command, ExposeCase):
            if state.exposure is not None:
                raise Conflict(
                    "该典型案例已公开通报",
                    "this typical case has already been exposed",
                    code="already_exposed",
                )
            return [
                CaseExposed(
                    case_id=state.case_id,
                    headline=redact(not_blank(command.headline, "headline", "通报标题")),
                    redacted_summary=redact(not_blank(command.summary, "summary", "通报内容")),
                    channel=not_blank(command.channel, "channel", "通报渠道"),
                    exposed_at=command.at,
                )
            ]
        if isinstance(command, ImposeAccountability):
            return self._impose(command, state)
        raise TypeError(f"unknown command {command!r}")

    def _open(self, command: OpenCase, state: CaseState | None) -> Sequence[DomainEvent]:
        require_office(command.actor, command.region_code, *CASE_ROLES)
        if state is not None:
            raise Conflict(
                f"案件 {command.case_id} 已立案",
                f"case {command.case_id} is already open",
                code="already_opened",
            )
        if not command.problem_ids:
            raise Invalid(
                "案件至少关联一个问题",
                "problem_ids must name at least one problem",
                field="problem_ids",
            )
        return [
            copy_fields(
                command,
                CaseOpened,
                title=not_blank(command.title, "title", "案件名称"),
                summary=not_blank(command.summary, "summary", "案情摘要"),
                problem_ids=tuple(dict.fromkeys(command.problem_ids)),
                agency_ids=tuple(dict.fromkeys(command.agency_ids)),
                opened_by=command.actor.organisation,
                opened_at=command.at,
            )
        ]

    def _refer(self, command: ReferCase, state: CaseState) -> Sequence[DomainEvent]:
        if state.referral(command.referral_id) is not None:
            raise Conflict(
                f"移送 {command.referral_id} 已存在",
                f"referral {command.referral_id} exists",
                code="already_referred",
            )
        pending = [
            r for r in state.referrals if r.body is command.body and r.acknowledged_at is None
        ]
        if pending:
            raise Conflict(
                f"已移送{BODY_ZH[command.body]}（{pending[0].receiving_body}），尚待确认接收",
                f"already referred to {command.body.value} ({pending[0].receiving_body}); "
                "waiting for its acknowledgement",
                code="referral_pending",
            )
        today = local_date(command.at)
        acknowledge_by = command.acknowledge_by or today + timedelta(days=command.default_ack_days)
        if acknowledge_by < today:
            raise Invalid(
                "确认接收时限不能早于今天",
                "acknowledge_by must not be in the past",
                field="acknowledge_by",
            )
        return [
            CaseReferred(
                case_id=state.case_id,
                referral_id=command.referral_id,
                body=command.body,
                receiving_body=not_blank(command.receiving_body, "receiving_body", "接收机关"),
                reason=not_blank(command.reason, "reason", "移送理由"),
                acknowledge_by=acknowledge_by,
                referred_at=command.at,
            )
        ]

    def _acknowledge(self, command: AcknowledgeReferral, state: CaseState) -> Sequence[DomainEvent]:
        referral = state.referral(command.referral_id)
        if referral is None:
            raise NotFound(
                f"案件 {state.case_id} 没有移送记录 {command.referral_id}",
                f"case {state.case_id} has no referral {command.referral_id}",
                field="referral_id",
            )
        if referral.acknowledged_at is not None:
            raise Conflict(
                f"{referral.receiving_body} 已确认接收该移送",
                f"{referral.receiving_body} has already acknowledged this referral",
                code="already_acknowledged",
            )
        return [
            ReferralAcknowledged(
                case_id=state.case_id,
                referral_id=referral.referral_id,
                reference_no=command.reference_no.strip(),
                note=command.note.strip(),
                acknowledged_at=command.at,
            )
        ]

    def _impose(self, command: ImposeAccountability, state: CaseState) -> Sequence[DomainEvent]:
        if any(d.decision_id == command.decision_id for d in state.decisions):
            raise Conflict(
                f"问责决定 {command.decision_id} 已存在",
                f"accountability decision {command.decision_id} exists",
                code="already_decided",
            )
        if not command.grounds:
            raise Invalid(
                "问责须写明事由", "grounds must name at least one ground", field="grounds"
            )
        target_ref = not_blank(command.target_ref, "target_ref", "问责对象")
        for d in state.decisions:
            if d.target_ref == target_ref and d.measure is command.measure:
                raise Conflict(
                    f"已对 {target_ref} 作出相同的问责决定",
                    f"{target_ref} has already received the measure {command.measure.value}",
                    code="already_decided",
                )
        return [
            AccountabilityImposed(
                case_id=state.case_id,
                decision_id=command.decision_id,
                target=command.target,
                target_ref=target_ref,
                grounds=tuple(dict.fromkeys(command.grounds)),
                measure=command.measure,
                note=command.note.strip(),
                decided_by=command.actor.organisation,
                decided_at=command.at,
            )
        ]

    def evolve(self, state: CaseState | None, event: DomainEvent) -> CaseState | None:
        return evolve(state, event)
