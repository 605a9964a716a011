"""What a typical case is, and how its events fold into that state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from shared.events.base import DomainEvent
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityImposed,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseExposed,
    CaseKind,
    CaseOpened,
    CaseOrigin,
    CaseReferred,
    ReferralAcknowledged,
    ReferralBody,
    ReferralOverdue,
)

CASE_PREFIX = "case-"


@dataclass(frozen=True)
class Referral:
    referral_id: str
    body: ReferralBody
    receiving_body: str
    reason: str
    acknowledge_by: date
    referred_at: datetime
    acknowledged_at: datetime | None = None
    reference_no: str = ""
    overdue_flagged: bool = False


@dataclass(frozen=True)
class Decision:
    decision_id: str
    target: AccountabilityTarget
    target_ref: str
    grounds: tuple[AccountabilityGround, ...]
    measure: AccountabilityMeasure
    decided_at: datetime


@dataclass(frozen=True)
class CaseState:
    case_id: str
    campaign_id: str
    region_code: str
    kind: CaseKind
    origin: CaseOrigin
    title: str
    summary: str
    problem_ids: tuple[str, ...]
    agency_ids: tuple[str, ...]
    opened_at: datetime
    referrals: tuple[Referral, ...] = ()
    exposure: CaseExposed | None = None
    decisions: tuple[Decision, ...] = field(default_factory=tuple)

    def referral(self, referral_id: str) -> Referral | None:
        return next((r for r in self.referrals if r.referral_id == referral_id), None)


CASE_EVENTS: tuple[type[DomainEvent], ...] = (
    CaseOpened,
    CaseReferred,
    ReferralAcknowledged,
    ReferralOverdue,
    CaseExposed,
    AccountabilityImposed,
)


def evolve(state: CaseState | None, event: DomainEvent) -> CaseState | None:
    """``state`` after ``event``; an event before the case was opened changes nothing."""
    if isinstance(event, CaseOpened):
        return CaseState(
            case_id=event.case_id,
            campaign_id=event.campaign_id,
            region_code=event.region_code,
            kind=event.kind,
            origin=event.origin,
            title=event.title,
            summary=event.summary,
            problem_ids=event.problem_ids,
            agency_ids=event.agency_ids,
            opened_at=event.opened_at,
        )
    if state is None:
        return None
    if isinstance(event, CaseReferred):
        referral = Referral(
            referral_id=event.referral_id,
            body=event.body,
            receiving_body=event.receiving_body,
            reason=event.reason,
            acknowledge_by=event.acknowledge_by,
            referred_at=event.referred_at,
        )
        return replace(state, referrals=(*state.referrals, referral))
    if isinstance(event, ReferralAcknowledged):
        return _update_referral(
            state,
            event.referral_id,
            acknowledged_at=event.acknowledged_at,
            reference_no=event.reference_no,
        )
    if isinstance(event, ReferralOverdue):
        return _update_referral(state, event.referral_id, overdue_flagged=True)
    if isinstance(event, CaseExposed):
        return replace(state, exposure=event)
    if isinstance(event, AccountabilityImposed):
        decision = Decision(
            decision_id=event.decision_id,
            target=event.target,
            target_ref=event.target_ref,
            grounds=event.grounds,
            measure=event.measure,
            decided_at=event.decided_at,
        )
        return replace(state, decisions=(*state.decisions, decision))
    return state


def _update_referral(state: CaseState, referral_id: str, **changes: object) -> CaseState:
    referrals = tuple(
        replace(r, **changes) if r.referral_id == referral_id else r  # type: ignore[arg-type]
        for r in state.referrals
    )
    return replace(state, referrals=referrals)
