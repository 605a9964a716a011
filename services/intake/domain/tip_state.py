"""A tip's state, folded from its events, and the rules read from it: statuses,
who may see it, which roles issue which command, when it is due."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.access_policy import Resource, readers_of
from shared.actors import Actor, Role
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
    TipTextDecrypted,
    TipTransferred,
    TipUnsubstantiated,
)

from .access import may_see
from .commands import (
    AcceptTip,
    AssignTip,
    DecryptContact,
    DecryptText,
    EraseContact,
    MergeTip,
    RejectTip,
    SubstantiateTip,
    TipCommand,
    TransferTip,
    UnsubstantiateTip,
)


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
# Who reads a tipster's contact and words: the access policy's row, in one place.
CONTACT_ROLES = readers_of(Resource.tip_sealed_text)
ERASE_ROLES = (Role.legal_office, Role.admin)
INTERNAL_FILERS = (Role.intake_officer, Role.legal_office)
SYSTEM_CHANNELS = frozenset({TipChannel.public_evaluation})
# Who may read a tip's sealed words (description, attachment names, findings).
TEXT_ROLES = CONTACT_ROLES


@dataclass(frozen=True)
class TipState:
    status: TipStatus = TipStatus.new
    tip_id: str = ""
    campaign_id: str = ""
    channel: TipChannel | None = None
    region_code: str = ""
    handling_region_code: str = ""
    agency_id: str = ""
    sealed_text: str = ""
    # Officers' sealed notes, reasons and findings on this tip: (what, ciphertext).
    sealed_notes: tuple[tuple[str, str], ...] = ()
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
    text_reads: int = 0
    # The tipster was erased: contact and words alike (one subject key).
    contact_erased: bool = False
    received_at: datetime | None = None
    updated_at: datetime | None = None


def visible_to(actor: Actor, state: TipState) -> bool:
    """Whether ``actor`` may know that this tip exists at all."""
    if state.status is TipStatus.new:
        return False
    return may_see(actor, state.region_code, state.handling_region_code)


@dataclass(frozen=True)
class Rule:
    """Who may issue a command on a tip (``roles``), the statuses it moves a tip from
    (any, when empty), named in a refusal by ``action_zh`` / ``action_en``, and
    whether the actor must be of the region handling the tip."""

    roles: tuple[Role, ...]
    statuses: tuple[TipStatus, ...] = ()
    action_zh: str = ""
    action_en: str = ""
    handling_region: bool = True


RULES: dict[type[TipCommand], Rule] = {
    AcceptTip: Rule(TRIAGE_ROLES, (TipStatus.received,), "再次受理", "accepted"),
    RejectTip: Rule(TRIAGE_ROLES, TRIAGE_OPEN, "不予受理", "rejected"),
    MergeTip: Rule(TRIAGE_ROLES, TRIAGE_OPEN, "合并", "merged"),
    AssignTip: Rule(TRIAGE_ROLES, TRIAGE_OPEN, "交办", "assigned"),
    TransferTip: Rule(TRIAGE_ROLES, TRIAGE_OPEN, "转办", "transferred"),
    SubstantiateTip: Rule(VERIFICATION_ROLES, VERIFICATION_OPEN, "作出核查结论", "verified"),
    UnsubstantiateTip: Rule(VERIFICATION_ROLES, VERIFICATION_OPEN, "作出核查结论", "verified"),
    DecryptContact: Rule(CONTACT_ROLES),
    # Whoever may see the tip reads its words, the region handling it or not.
    DecryptText: Rule(TEXT_ROLES, handling_region=False),
    EraseContact: Rule(ERASE_ROLES),
}


def roles_for(command: TipCommand) -> tuple[Role, ...]:
    """The roles that may issue ``command`` on some tip."""
    rule = RULES.get(type(command))
    return rule.roles if rule is not None else TRIAGE_ROLES


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


# What a tip keeps of its ``TipReceived`` as it came: every field the two share.
_AS_RECEIVED = {f.name for f in fields(TipState)} & TipReceived.model_fields.keys()


def _received(state: TipState, event: TipReceived) -> TipState:
    return replace(
        state,
        status=TipStatus.received,
        handling_region_code=event.region_code,
        has_contact=bool(event.sealed_contact),
        updated_at=event.received_at,
        **event.model_dump(include=_AS_RECEIVED),
    )


def _moved(
    state: TipState, status: TipStatus, at: datetime, sealed: str = "", **changes: Any
) -> TipState:
    """The tip in ``status`` since ``at``, keeping the officer's ``sealed`` note, reason
    or findings (named in the notes by the new status) when there is one."""
    return _noted(replace(state, status=status, updated_at=at, **changes), status.value, sealed)


def _noted(state: TipState, what: str, sealed: str) -> TipState:
    return replace(state, sealed_notes=(*state.sealed_notes, (what, sealed))) if sealed else state


def evolve_tip(state: TipState, event: DomainEvent) -> TipState:
    """The tip after ``event``."""
    match event:
        case TipReceived():
            return _received(state, event)
        case TipAccepted(accepted_at=at, sealed_note=note, verification_due_at=due):
            return _moved(state, TipStatus.accepted, at, note, verification_due_at=due)
        case TipRejected(rejected_at=at, sealed_reason=reason, referred_to=to):
            return _moved(state, TipStatus.rejected, at, reason, referred_to=to)
        case TipMerged(merged_at=at, into_tip_id=into):
            return _moved(state, TipStatus.merged, at, merged_into=into)
        case TipAssigned(assigned_at=at, sealed_note=note, assignee=to, verification_due_at=due):
            return _moved(state, TipStatus.assigned, at, note, assignee=to, verification_due_at=due)
        case TipTransferred(transferred_at=at, to_region_code=to, triage_due_at=due):
            # Back to triage, in the region it was sent to.
            moved = _moved(
                state,
                TipStatus.received,
                at,
                region_code=to,
                handling_region_code=to,
                triage_due_at=due,
            )
            return _noted(moved, "transferred", event.sealed_reason)
        case TipEscalated(escalated_at=at, to_region_code=to, stage=stage):
            # A level up takes it over; its status stays.
            return replace(
                state, handling_region_code=to, escalated=state.escalated | {stage}, updated_at=at
            )
        case TipSubstantiated(substantiated_at=at, sealed_findings=findings, problems=problems):
            found = tuple(p.problem_id for p in problems)
            return _moved(
                state,
                TipStatus.substantiated,
                at,
                findings,
                problem_ids=found,
                substantiation=event,
            )
        case TipUnsubstantiated(unsubstantiated_at=at, sealed_reason=reason):
            return _moved(state, TipStatus.unsubstantiated, at, reason)
        case ContactDecrypted():
            return replace(state, contact_reads=state.contact_reads + 1)
        case TipTextDecrypted():
            return replace(state, text_reads=state.text_reads + 1)
        case ContactErased():
            return replace(state, contact_erased=True)
    return state
