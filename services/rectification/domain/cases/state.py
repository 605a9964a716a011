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
from shared.fields import copy_fields

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

    @property
    def overdue(self) -> bool:
        """Flagged overdue and not acknowledged since."""
        return self.overdue_flagged and self.acknowledged_at is None


@dataclass(frozen=True)
class Decision:
    decision_id: str
    target: AccountabilityTarget
    target_ref: str
    grounds: tuple[AccountabilityGround, ...]
    measure: AccountabilityMeasure
    decided_at: datetime


@dataclass(frozen=True)
class CaseFile:
    """What a case is opened with: the command to open it carries this, and the case
    keeps it."""

    case_id: str
    campaign_id: str
    region_code: str
    kind: CaseKind
    origin: CaseOrigin
    title: str
    summary: str
    problem_ids: tuple[str, ...]
    agency_ids: tuple[str, ...]


@dataclass(frozen=True)
class CaseState(CaseFile):
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
    """``state`` after ``event``; an event before the case was opened changes nothing.
    A case, a referral and a decision start as the facts their events record."""
    if isinstance(event, CaseOpened):
        return copy_fields(event, CaseState)
    if state is None:
        return None
    if isinstance(event, CaseReferred):
        return replace(state, referrals=(*state.referrals, copy_fields(event, Referral)))
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
        return replace(state, decisions=(*state.decisions, copy_fields(event, Decision)))
    return state


def _update_referral(state: CaseState, referral_id: str, **changes: object) -> CaseState:
    referrals = tuple(
        replace(r, **changes) if r.referral_id == referral_id else r  # type: ignore[arg-type]
        for r in state.referrals
    )
    return replace(state, referrals=referrals)
