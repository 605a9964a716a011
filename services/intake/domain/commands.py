"""Commands: everything a decision needs from outside (actor, time, random ids).

Free text about a tip comes twice: in clear, for the decision to check (it is never
kept), and ``sealed_*`` under the tip's subject key, which is what the events carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.actors import Actor
from shared.events.directory import PhaseCode
from shared.events.intake import Attachment, FoundProblem, TipChannel
from shared.vocabulary import Power, ProblemCategory


@dataclass(frozen=True)
class ReceiveTip:
    tip_id: str
    campaign_id: str
    channel: TipChannel
    region_code: str
    description: str
    occurred_on: date
    triage_due_at: datetime
    at: datetime
    agency_id: str = ""
    agency_text: str = ""
    power: Power | None = None
    attachments: tuple[Attachment, ...] = ()
    sealed_contact: str = ""
    receipt_lookup: str = ""
    sealed_receipt: str = ""
    idempotency_lookup: str = ""
    request_fingerprint: str = ""
    origin_ref: str = ""
    sealed_text: str = ""  # description, agency_text and attachment names, sealed
    # Who filed it: None for the public; an officer for the internal channels.
    filer: Actor | None = None
    # Filed by the platform itself (a problem raised in an evaluation meeting).
    by_system: bool = False


@dataclass(frozen=True)
class AcceptTip:
    actor: Actor
    verification_due_at: datetime
    at: datetime
    note: str = ""
    sealed_note: str = ""


@dataclass(frozen=True)
class RejectTip:
    actor: Actor
    reason: str
    at: datetime
    referred_to: str = ""
    sealed_reason: str = ""


@dataclass(frozen=True)
class TargetTip:
    """The state of the tip a duplicate is merged into, as far as the decision needs it."""

    tip_id: str
    status: str
    campaign_id: str
    region_code: str
    handling_region_code: str


@dataclass(frozen=True)
class MergeTip:
    actor: Actor
    into: TargetTip | None
    into_tip_id: str
    at: datetime


@dataclass(frozen=True)
class AssignTip:
    actor: Actor
    assignee: str
    verification_due_at: datetime
    at: datetime
    note: str = ""
    sealed_note: str = ""


@dataclass(frozen=True)
class TransferTip:
    actor: Actor
    to_region_code: str
    reason: str
    triage_due_at: datetime
    at: datetime
    sealed_reason: str = ""


@dataclass(frozen=True)
class EscalateTip:
    """Issued by the deadline watcher; the decider decides whether a deadline passed."""

    at: datetime


@dataclass(frozen=True)
class SubstantiateTip:
    actor: Actor
    findings: str
    problems: tuple[FoundProblem, ...]
    phase: PhaseCode
    at: datetime
    merged_tip_ids: tuple[str, ...] = ()
    sealed_findings: str = ""


@dataclass(frozen=True)
class UnsubstantiateTip:
    actor: Actor
    reason: str
    at: datetime
    sealed_reason: str = ""


@dataclass(frozen=True)
class DecryptText:
    """An officer asks to read a tip's sealed words, for a stated purpose."""

    actor: Actor
    purpose: str
    at: datetime


@dataclass(frozen=True)
class DecryptContact:
    actor: Actor
    purpose: str
    at: datetime


@dataclass(frozen=True)
class EraseContact:
    """Erase the tipster: recorded first, then the key is shredded (crypto-shredding)."""

    actor: Actor
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecordProblem:
    problem: FoundProblem
    campaign_id: str
    source_tip_ids: tuple[str, ...]
    phase: PhaseCode
    at: datetime
    source_report_id: str = ""


@dataclass(frozen=True)
class FileImplementationPlan:
    actor: Actor
    agency_id: str
    agency_region_code: str
    campaign_id: str
    plan_id: str
    targeted_categories: tuple[ProblemCategory, ...]
    methods: str
    goals: str
    phase: PhaseCode | None
    at: datetime


@dataclass(frozen=True)
class FileSelfAnalysis:
    actor: Actor
    agency_id: str
    agency_region_code: str
    campaign_id: str
    analysis_id: str
    unit: str
    categories: tuple[ProblemCategory, ...]
    findings: str
    phase: PhaseCode | None
    at: datetime


@dataclass(frozen=True)
class FileSelfInspectionReport:
    actor: Actor
    agency_id: str
    agency_region_code: str
    campaign_id: str
    report_id: str
    summary: str
    problems: tuple[FoundProblem, ...]
    phase: PhaseCode | None
    at: datetime


TipCommand = (
    ReceiveTip
    | AcceptTip
    | RejectTip
    | MergeTip
    | AssignTip
    | TransferTip
    | EscalateTip
    | SubstantiateTip
    | UnsubstantiateTip
    | DecryptContact
    | DecryptText
    | EraseContact
)
SelfInspectionCommand = FileImplementationPlan | FileSelfAnalysis | FileSelfInspectionReport
