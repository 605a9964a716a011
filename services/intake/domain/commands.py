"""Commands: everything a decision needs from outside (actor, time, random ids).

Free text about a tip comes twice: in clear, for the decision to check (it is never
kept), and ``sealed_*`` under the tip's subject key, which is what the events carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from shared.actors import Actor
from shared.events.directory import PhaseCode
from shared.events.intake import Attachment, FoundProblem, TipChannel
from shared.vocabulary import Power, ProblemCategory


@dataclass(frozen=True, kw_only=True)
class TipAsTold:
    """A tip as it comes in: where from, where and when it happened, whom it is about
    and what it says. ``filer``: who filed it (None for the public; an officer for the
    internal channels); ``by_system``: filed by the platform itself (a problem raised
    in an evaluation meeting)."""

    campaign_id: str
    channel: TipChannel
    region_code: str
    description: str
    occurred_on: date
    agency_id: str = ""
    agency_text: str = ""
    power: Power | None = None
    attachments: tuple[Attachment, ...] = ()
    origin_ref: str = ""
    filer: Actor | None = None
    by_system: bool = False


@dataclass(frozen=True, kw_only=True)
class ReceiveTip(TipAsTold):
    tip_id: str
    triage_due_at: datetime
    at: datetime
    sealed_contact: str = ""
    receipt_lookup: str = ""
    sealed_receipt: str = ""
    idempotency_lookup: str = ""
    request_fingerprint: str = ""
    sealed_text: str = ""  # description, agency_text and attachment names, sealed


@dataclass(frozen=True)
class _Noted:
    """An officer's optional note: in clear for the check, sealed for the event."""

    note: str = field(default="", kw_only=True)
    sealed_note: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class AcceptTip(_Noted):
    actor: Actor
    verification_due_at: datetime
    at: datetime


@dataclass(frozen=True)
class _Reasoned:
    """An officer's decision and its reason: in clear for the check, sealed for the
    event."""

    actor: Actor
    reason: str
    at: datetime
    sealed_reason: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class RejectTip(_Reasoned):
    referred_to: str = field(default="", kw_only=True)


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
class AssignTip(_Noted):
    actor: Actor
    assignee: str
    verification_due_at: datetime
    at: datetime


@dataclass(frozen=True)
class TransferTip(_Reasoned):
    to_region_code: str = field(kw_only=True)
    triage_due_at: datetime = field(kw_only=True)


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
class UnsubstantiateTip(_Reasoned):
    """Verification found the tip untrue."""


@dataclass(frozen=True)
class _Reading:
    """An officer asks to read a tip's sealed data, for a stated purpose."""

    actor: Actor
    purpose: str
    at: datetime


@dataclass(frozen=True)
class DecryptText(_Reading):
    """The tip's sealed words: the tipster's and the officers' notes about them."""


@dataclass(frozen=True)
class DecryptContact(_Reading):
    """The tipster's contact details."""


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


@dataclass(frozen=True, kw_only=True)
class AgencyFiling:
    """What each of an agency's own filings carries: who files it, for which agency
    (and that agency's region), in which campaign and phase, and when."""

    actor: Actor
    agency_id: str
    agency_region_code: str
    campaign_id: str
    phase: PhaseCode | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class FileImplementationPlan(AgencyFiling):
    plan_id: str
    targeted_categories: tuple[ProblemCategory, ...]
    methods: str
    goals: str


@dataclass(frozen=True, kw_only=True)
class FileSelfAnalysis(AgencyFiling):
    analysis_id: str
    unit: str
    categories: tuple[ProblemCategory, ...]
    findings: str


@dataclass(frozen=True, kw_only=True)
class FileSelfInspectionReport(AgencyFiling):
    report_id: str
    summary: str
    problems: tuple[FoundProblem, ...]


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
