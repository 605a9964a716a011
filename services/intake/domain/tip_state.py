"""A tip's state, folded from its events, and the rules read from it: statuses,
who may see it, which roles issue which command, when it is due."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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
    DecryptContact,
    DecryptText,
    EraseContact,
    SubstantiateTip,
    TipCommand,
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


def roles_for(command: TipCommand) -> tuple[Role, ...]:
    """The roles that may issue ``command`` on some tip."""
    if isinstance(command, SubstantiateTip | UnsubstantiateTip):
        return VERIFICATION_ROLES
    if isinstance(command, DecryptContact):
        return CONTACT_ROLES
    if isinstance(command, DecryptText):
        return TEXT_ROLES
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


def evolve_tip(state: TipState, event: DomainEvent) -> TipState:
    """The tip after ``event``."""
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
            sealed_text=event.sealed_text,
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
            sealed_notes=_noted(state, "accepted", event.sealed_note),
            updated_at=event.accepted_at,
        )
    if isinstance(event, TipRejected):
        return replace(
            state,
            status=TipStatus.rejected,
            referred_to=event.referred_to,
            sealed_notes=_noted(state, "rejected", event.sealed_reason),
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
            sealed_notes=_noted(state, "assigned", event.sealed_note),
            updated_at=event.assigned_at,
        )
    if isinstance(event, TipTransferred):
        return replace(
            state,
            status=TipStatus.received,
            region_code=event.to_region_code,
            handling_region_code=event.to_region_code,
            triage_due_at=event.triage_due_at,
            sealed_notes=_noted(state, "transferred", event.sealed_reason),
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
            sealed_notes=_noted(state, "substantiated", event.sealed_findings),
            updated_at=event.substantiated_at,
        )
    if isinstance(event, TipUnsubstantiated):
        return replace(
            state,
            status=TipStatus.unsubstantiated,
            sealed_notes=_noted(state, "unsubstantiated", event.sealed_reason),
            updated_at=event.unsubstantiated_at,
        )
    if isinstance(event, ContactDecrypted):
        return replace(state, contact_reads=state.contact_reads + 1)
    if isinstance(event, TipTextDecrypted):
        return replace(state, text_reads=state.text_reads + 1)
    if isinstance(event, ContactErased):
        return replace(state, contact_erased=True)
    return state


def _noted(state: TipState, what: str, sealed: str) -> tuple[tuple[str, str], ...]:
    return (*state.sealed_notes, (what, sealed)) if sealed else state.sealed_notes
