"""Events on ``rectification.events``: item-by-item fixes, deadlines, cases,
referrals, exposure, accountability, rule improvements.

Deadlines are calendar dates (整改时限); a deadline passes at the end of its day in
China Standard Time (UTC+8). Each item carries the thresholds it was opened with, so
the deadline watcher needs nothing but the item itself and the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.events.registry import event
from shared.vocabulary import ProblemCategory, Severity

PLACEHOLDER_RESPONSIBLE_PERSON = "机关主要负责人（待指定） / head of the agency (to be named)"


class EvidenceRef(BaseModel):
    """Metadata of a piece of evidence kept outside the log (a file, a photo, a record)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    media_type: str = Field(default="application/octet-stream", max_length=100)
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    location: str = Field(default="", max_length=500, description="where the file is kept")


class DeadlineThreshold(StrEnum):
    due = "due"  # 临近整改时限
    overdue = "overdue"  # 逾期未完成
    escalated = "escalated"  # 逾期升级督办


class CaseKind(StrEnum):
    misconduct = "misconduct"  # 违规违纪
    dereliction_of_duty = "dereliction_of_duty"  # 失职渎职
    abuse_of_power = "abuse_of_power"  # 滥用职权
    leader_interference = "leader_interference"  # 领导干部干预执法
    protective_umbrella = "protective_umbrella"  # 充当“保护伞”


class CaseOrigin(StrEnum):
    self_inspection = "self_inspection"  # 自查
    tip = "tip"  # 群众举报
    media = "media"  # 媒体曝光
    joint_inspection = "joint_inspection"  # 联合检查
    unannounced_visit = "unannounced_visit"  # 明察暗访
    case_file_review = "case_file_review"  # 执法案卷评查


class ReferralBody(StrEnum):
    discipline_inspection = "discipline_inspection"  # 纪检监察机关：违纪
    procuratorate = "procuratorate"  # 检察机关：涉嫌职务犯罪


class AccountabilityTarget(StrEnum):
    individual = "individual"
    unit = "unit"


class AccountabilityGround(StrEnum):
    case_conduct = "case_conduct"  # 案件中的违法违纪行为
    connived = "connived"  # 纵容
    concealed_case = "concealed_case"  # 瞒案
    suppressed_case = "suppressed_case"  # 压案
    ignored_case = "ignored_case"  # 有案不查
    resisted_inspection = "resisted_inspection"  # 抵制、阻挠检查
    rectification_overdue = "rectification_overdue"  # 整改不力、逾期


class AccountabilityMeasure(StrEnum):
    criticism = "criticism"  # 通报批评
    admonishment = "admonishment"  # 诫勉谈话
    ordered_rectification = "ordered_rectification"  # 责令整改
    warning = "warning"  # 警告
    demerit = "demerit"  # 记过
    demotion = "demotion"  # 降级
    removal = "removal"  # 撤职
    dismissal = "dismissal"  # 开除
    enforcement_suspended = "enforcement_suspended"  # 暂扣执法证件、调离执法岗位


class RegulationKind(StrEnum):
    regulation = "regulation"  # 规章、规范性文件
    internal_system = "internal_system"  # 内部管理制度


# -- rectification items ------------------------------------------------------------


@event("rectification.RectificationOpened")
class RectificationOpened(DomainEvent):
    """An item opened for one problem (subject = item id = ``rect-<problem id>``)."""

    item_id: str
    problem_id: str
    campaign_id: str
    agency_id: str = Field(description="the responsible unit (责任单位)")
    region_code: str
    category: ProblemCategory
    kind: str
    severity: Severity
    summary: str
    responsible_person: str = Field(
        description="position or staff id of the official responsible (责任人); a placeholder "
        "until the agency names one"
    )
    due_on: date = Field(description="deadline (整改时限), China Standard Time")
    due_lead_days: int = Field(ge=0)
    escalation_grace_days: int = Field(ge=0)
    rectification_ends_on: date = Field(description="end of the rectification phase")
    campaign_rules_known: bool = Field(
        description="false when the campaign was not yet known and defaults were used"
    )
    opened_at: datetime


@event("rectification.ResponsiblePersonNamed")
class ResponsiblePersonNamed(DomainEvent):
    item_id: str
    responsible_person: str
    named_at: datetime


@event("rectification.RectificationProgressReported")
class RectificationProgressReported(DomainEvent):
    item_id: str
    note: str
    percent: int = Field(ge=0, le=100)
    evidence: tuple[EvidenceRef, ...] = ()
    reported_at: datetime


@event("rectification.RectificationCompleted")
class RectificationCompleted(DomainEvent):
    """The agency reports the item fixed; it waits for the legal office's verification."""

    item_id: str
    measures: str
    evidence: tuple[EvidenceRef, ...] = ()
    completed_at: datetime


@event("rectification.RectificationVerified")
class RectificationVerified(DomainEvent):
    """The supervising legal office confirms the fix and closes the item (销号)."""

    item_id: str
    office: str
    note: str = ""
    verified_at: datetime


@event("rectification.RectificationReturned")
class RectificationReturned(DomainEvent):
    """The legal office sends a reported completion back with its reasons."""

    item_id: str
    office: str
    reasons: str
    returned_at: datetime


@event("rectification.RectificationExtensionRequested")
class RectificationExtensionRequested(DomainEvent):
    item_id: str
    requested_due_on: date
    reason: str
    requested_at: datetime


@event("rectification.RectificationExtensionDeclined")
class RectificationExtensionDeclined(DomainEvent):
    item_id: str
    office: str
    reasons: str
    declined_at: datetime


@event("rectification.RectificationExtended")
class RectificationExtended(DomainEvent):
    """A legal office approved a new deadline; deadline reminders re-arm for it."""

    item_id: str
    previous_due_on: date
    due_on: date
    reason: str
    office: str
    extended_at: datetime


@event("rectification.RectificationDue")
class RectificationDue(DomainEvent):
    """The deadline is ``due_lead_days`` away and the item is not closed."""

    item_id: str
    agency_id: str
    region_code: str
    due_on: date
    at: datetime


@event("rectification.RectificationOverdue")
class RectificationOverdue(DomainEvent):
    item_id: str
    agency_id: str
    region_code: str
    due_on: date
    at: datetime


@event("rectification.RectificationEscalated")
class RectificationEscalated(DomainEvent):
    """Still unfinished a grace period after the deadline: the next level up supervises."""

    item_id: str
    agency_id: str
    region_code: str
    escalated_to_region: str = Field(description="region whose legal office now supervises")
    due_on: date
    at: datetime


# -- typical cases ------------------------------------------------------------------


@event("rectification.CaseOpened")
class CaseOpened(DomainEvent):
    case_id: str
    campaign_id: str
    region_code: str
    kind: CaseKind
    origin: CaseOrigin
    title: str
    summary: str
    problem_ids: tuple[str, ...]
    agency_ids: tuple[str, ...]
    opened_by: str
    opened_at: datetime


@event("rectification.CaseReferred")
class CaseReferred(DomainEvent):
    case_id: str
    referral_id: str
    body: ReferralBody
    receiving_body: str = Field(description="name of the receiving organ")
    reason: str
    acknowledge_by: date
    referred_at: datetime


@event("rectification.ReferralAcknowledged")
class ReferralAcknowledged(DomainEvent):
    case_id: str
    referral_id: str
    reference_no: str = ""
    note: str = ""
    acknowledged_at: datetime


@event("rectification.ReferralOverdue")
class ReferralOverdue(DomainEvent):
    case_id: str
    referral_id: str
    receiving_body: str
    acknowledge_by: date
    at: datetime


@event("rectification.CaseExposed")
class CaseExposed(DomainEvent):
    """A public announcement of a typical case (典型案例通报) with a redacted summary."""

    case_id: str
    headline: str
    redacted_summary: str
    channel: str
    exposed_at: datetime


@event("rectification.AccountabilityImposed")
class AccountabilityImposed(DomainEvent):
    """A decision holding an individual (pseudonymous id) or a unit accountable."""

    case_id: str
    decision_id: str
    target: AccountabilityTarget
    target_ref: str = Field(description="unit id, or pseudonymous id of an individual")
    grounds: tuple[AccountabilityGround, ...]
    measure: AccountabilityMeasure
    note: str = ""
    decided_by: str
    decided_at: datetime


# -- rule improvements ----------------------------------------------------------------


@event("rectification.RegulationAdopted")
class RegulationAdopted(DomainEvent):
    regulation_id: str
    campaign_id: str
    region_code: str
    agency_id: str = Field(default="", description="empty when a legal office adopts it")
    kind: RegulationKind
    title: str
    summary: str = ""
    problem_ids: tuple[str, ...]
    adopted_on: date
    recorded_at: datetime
