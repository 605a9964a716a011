"""What may be asked of a typical case: each command carries the actor and the time
it is decided at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.rectification.domain.cases.state import CaseFile
from shared.actors import Actor
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityMeasure,
    AccountabilityTarget,
    ReferralBody,
)


@dataclass(frozen=True)
class OpenCase(CaseFile):
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class ReferCase:
    actor: Actor
    referral_id: str
    body: ReferralBody
    receiving_body: str
    reason: str
    acknowledge_by: date | None
    default_ack_days: int
    at: datetime


@dataclass(frozen=True)
class AcknowledgeReferral:
    actor: Actor
    referral_id: str
    reference_no: str
    note: str
    at: datetime


@dataclass(frozen=True)
class ExposeCase:
    actor: Actor
    headline: str
    summary: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class ImposeAccountability:
    actor: Actor
    decision_id: str
    target: AccountabilityTarget
    target_ref: str
    grounds: tuple[AccountabilityGround, ...]
    measure: AccountabilityMeasure
    note: str
    at: datetime


@dataclass(frozen=True)
class CheckReferrals:
    """Issued by the deadline watcher with the injected clock's time."""

    at: datetime


CaseCommand = (
    OpenCase | ReferCase | AcknowledgeReferral | ExposeCase | ImposeAccountability | CheckReferrals
)
