"""Events on ``intake.events``: tips, triage, verification, problems found,
self-inspection. ``ProblemFound`` is the contract rectification builds on.

Tipster contact details and words never appear in clear: ``sealed_contact``, the
tip's ``sealed_text`` (description, agency named as text, attachment names) and the
officers' ``sealed_*`` notes, reasons and findings about it are ciphertext of
``PersonalDataVault`` under the tip's own subject key, so shredding that one key
erases all of them from every replay (crypto-shredding). The clear fields they
replace (``description``, ``note``, ``reason``, ``findings``, ``file_name``) are kept,
empty, for readers of the first schema. Receipt codes and idempotency keys appear only
as keyed hashes (``*_lookup``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.events.directory import PhaseCode
from shared.events.registry import event
from shared.vocabulary import Power, ProblemCategory, Severity


class ProblemSource(StrEnum):
    tip = "tip"
    self_inspection = "self_inspection"


class TipChannel(StrEnum):
    """Where a tip came from (线索来源)."""

    hotline = "hotline"  # 举报电话
    letter = "letter"  # 来信
    visit = "visit"  # 来访
    website = "website"  # 网站
    media = "media"  # 新闻媒体
    forum = "forum"  # 走访座谈
    self_analysis = "self_analysis"  # 自我剖析
    joint_inspection = "joint_inspection"  # 联合督查
    unannounced_visit = "unannounced_visit"  # 明察暗访
    case_file_review = "case_file_review"  # 执法案卷评查
    spot_check = "spot_check"  # 不定期抽查
    referral = "referral"  # 转办
    public_evaluation = "public_evaluation"  # 民主评议会（代表在测评票上反映的问题）


# The channels a citizen reaches the campaign through; every other channel is the
# campaign's own work (inspections, forums, reviews, referrals) and is filed by an officer.
PUBLIC_CHANNELS = frozenset(
    {TipChannel.hotline, TipChannel.letter, TipChannel.visit, TipChannel.website, TipChannel.media}
)


class TipStage(StrEnum):
    triage = "triage"  # 受理分办
    verification = "verification"  # 核查


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Attachment(_Part):
    """Metadata of a file the tipster attached; the file itself is kept elsewhere.
    Its name is the tipster's words: sealed in ``TipReceived.sealed_text``."""

    file_name: str = Field(default="", description="empty: the name is sealed")
    media_type: str
    size_bytes: int = Field(ge=0)
    sha256: str = ""


class FoundProblem(_Part):
    """One problem a verification or a self-inspection report established."""

    problem_id: str
    agency_id: str
    region_code: str
    category: ProblemCategory
    kind: str
    severity: Severity
    summary: str


SEALED = "vault ciphertext, subject = tip id"


class _Noted(DomainEvent):
    """An officer's optional note on a tip (sealed)."""

    tip_id: str
    note: str = Field(default="", description="empty: sealed in sealed_note")
    sealed_note: str = Field(default="", description=SEALED)


class _Reasoned(DomainEvent):
    """An officer's decision on a tip, and its reason (sealed)."""

    tip_id: str
    reason: str = Field(default="", description="empty: sealed in sealed_reason")
    sealed_reason: str = Field(default="", description=SEALED)


@event("intake.TipReceived")
class TipReceived(DomainEvent):
    """A tip entered the campaign (subject = tip id)."""

    tip_id: str
    campaign_id: str
    channel: TipChannel
    region_code: str
    agency_id: str = ""
    agency_text: str = Field(default="", description="empty: sealed in sealed_text")
    power: Power | None = None
    description: str = Field(default="", description="empty: sealed in sealed_text")
    occurred_on: date
    attachments: tuple[Attachment, ...] = ()
    anonymous: bool = True
    sealed_contact: str = Field(default="", description=SEALED)
    sealed_text: str = Field(
        default="",
        description="vault ciphertext (subject = tip id) of the tipster's words: JSON of "
        "description, agency_text and attachment file names",
    )
    receipt_lookup: str = Field(default="", description="keyed hash of the receipt code")
    sealed_receipt: str = Field(default="", description="vault ciphertext of the receipt code")
    idempotency_lookup: str = Field(default="", description="keyed hash of Idempotency-Key")
    request_fingerprint: str = ""
    origin_ref: str = Field(default="", description="e.g. evaluation raised id")
    triage_due_at: datetime
    received_at: datetime


@event("intake.TipAccepted")
class TipAccepted(_Noted):
    verification_due_at: datetime
    accepted_at: datetime


@event("intake.TipRejected")
class TipRejected(_Reasoned):
    """Out of scope; ``referred_to`` names where it was sent instead."""

    referred_to: str = ""
    rejected_at: datetime


@event("intake.TipMerged")
class TipMerged(DomainEvent):
    """A duplicate folded into another tip, which from now on backs its problems."""

    tip_id: str
    into_tip_id: str
    merged_at: datetime


@event("intake.TipAssigned")
class TipAssigned(_Noted):
    """Handed to the office or agency that must verify it."""

    assignee: str
    verification_due_at: datetime
    assigned_at: datetime


@event("intake.TipTransferred")
class TipTransferred(_Reasoned):
    from_region_code: str
    to_region_code: str
    triage_due_at: datetime
    transferred_at: datetime


@event("intake.TipEscalated")
class TipEscalated(DomainEvent):
    """Nobody acted before the deadline: the next level up takes over (once per stage)."""

    tip_id: str
    stage: TipStage
    due_at: datetime
    from_region_code: str
    to_region_code: str
    escalated_at: datetime


@event("intake.TipSubstantiated")
class TipSubstantiated(DomainEvent):
    """Verification found the tip true; each problem follows as ``ProblemFound``."""

    tip_id: str
    findings: str = Field(default="", description="empty: sealed in sealed_findings")
    sealed_findings: str = Field(default="", description=SEALED)
    problems: tuple[FoundProblem, ...]
    backing_tip_ids: tuple[str, ...]
    phase: PhaseCode
    substantiated_at: datetime


@event("intake.TipUnsubstantiated")
class TipUnsubstantiated(_Reasoned):
    unsubstantiated_at: datetime


@event("intake.ContactDecrypted")
class ContactDecrypted(DomainEvent):
    """Someone read a tipster's contact details; recorded before they were shown."""

    tip_id: str
    decrypted_by: str = Field(description="role:organisation:region of the reader")
    read_by: str = Field(default="", description="the reader's own subject (the person)")
    purpose: str
    decrypted_at: datetime


@event("intake.TipTextDecrypted")
class TipTextDecrypted(DomainEvent):
    """An officer read a tip's sealed words (the tipster's text and the officers'
    notes and findings about it); recorded before they were shown."""

    tip_id: str
    read_by: str = Field(description="the reader's own subject (the person)")
    office: str = Field(description="the reader's organisation")
    role: str
    region_code: str = Field(description="the reader's region")
    purpose: str
    decrypted_at: datetime


@event("intake.ContactErased")
class ContactErased(DomainEvent):
    """The tipster is erased: recorded first, then their key is shredded, so that
    neither their contact nor their words (nor any note sealed with them) can be read
    again from any replay."""

    tip_id: str
    erased_by: str = Field(description="role:organisation:region of who erased it")
    reason: str
    erased_at: datetime


@event("intake.ProblemFound")
class ProblemFound(DomainEvent):
    """A substantiated problem attributed to one agency (subject = problem id)."""

    problem_id: str
    campaign_id: str
    agency_id: str
    region_code: str = Field(description="GB/T 2260 code of the agency's region")
    category: ProblemCategory
    kind: str = Field(description="finer kind, e.g. arbitrary_fine, fine_quota, buck_passing")
    severity: Severity
    summary: str
    source: ProblemSource
    source_tip_ids: tuple[str, ...] = ()
    phase: PhaseCode
    found_at: datetime
    source_report_id: str = Field(default="", description="self-inspection report, if any")


class _Filed(DomainEvent):
    """One of an agency's own filings (subject = the agency's self-inspection file)."""

    agency_id: str
    campaign_id: str


@event("intake.ImplementationPlanFiled")
class ImplementationPlanFiled(_Filed):
    """Phase 1: an agency's own plan: problems targeted, methods, goals
    (subject = the agency's self-inspection file)."""

    plan_id: str
    targeted_categories: tuple[ProblemCategory, ...]
    methods: str
    goals: str
    phase: PhaseCode
    filed_at: datetime


@event("intake.SelfAnalysisFiled")
class SelfAnalysisFiled(_Filed):
    """Phase 2: a unit's or individual's self-analysis material (剖析材料)."""

    analysis_id: str
    unit: str = Field(description="division, section or party branch (处、科、室或党支部)")
    categories: tuple[ProblemCategory, ...]
    findings: str
    phase: PhaseCode
    filed_at: datetime


@event("intake.SelfInspectionReportFiled")
class SelfInspectionReportFiled(_Filed):
    """Phase 2: the agency's self-inspection report; its problems follow as ``ProblemFound``."""

    report_id: str
    summary: str
    problems: tuple[FoundProblem, ...]
    phase: PhaseCode
    filed_at: datetime
