"""Request and response bodies of the intake API."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.events.intake import TipChannel, TipStage
from shared.text import Line, Text
from shared.vocabulary import Power, ProblemCategory, Severity

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
REGION_CODE = r"^\d{6}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_Body):
    """How to reach the tipster. Sealed per tip before it reaches any topic."""

    name: Line | None = Field(default=None, max_length=50, description="姓名（可选） / name")
    phone: Line | None = Field(default=None, max_length=20, description="手机或座机 / phone")
    email: Line | None = Field(default=None, max_length=120, description="电子邮箱 / email")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = value.replace(" ", "")
        if not (MOBILE.match(compact) or LANDLINE.match(compact)):
            raise PydanticCustomError(
                "phone_format",
                "phone must be a mainland mobile (11 digits, 1[3-9]…) or a landline (0xxx-xxxxxxx)",
                {"zh": "电话号码格式不正确（应为 11 位手机号或带区号的座机号）"},
            )
        return compact

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise PydanticCustomError(
                "email_format",
                "email must look like name@example.cn",
                {"zh": "电子邮箱格式不正确"},
            )
        return value

    @model_validator(mode="after")
    def _reachable(self) -> ContactIn:
        if not self.phone and not self.email:
            raise PydanticCustomError(
                "contact_unreachable",
                "contact needs a phone or an email (or leave contact out to stay anonymous)",
                {"zh": "联系方式至少填写电话或邮箱之一（匿名举报可不填）"},
            )
        return self


class AttachmentIn(_Body):
    file_name: Line = Field(min_length=1, max_length=200)
    media_type: Line = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size_bytes: int = Field(ge=0, le=100 * 1024 * 1024)
    sha256: Line = Field(default="", pattern=r"^([0-9a-f]{64})?$")


class TipSubmission(_Body):
    """A tip from the public, the media, a forum, an inspection or an agency's self-analysis."""

    channel: TipChannel = Field(description="线索来源 / channel")
    region_code: Line = Field(pattern=REGION_CODE, description="GB/T 2260 地区代码 / region code")
    agency_id: Line | None = Field(default=None, max_length=64, description="被反映机关编号")
    agency_text: Line | None = Field(
        default=None, max_length=200, description="不知编号时填写机关名称 / agency name as text"
    )
    power: Power | None = Field(default=None, description="执法权类型 / enforcement power")
    description: Text = Field(
        min_length=1, max_length=5000, description="反映的问题 / what happened"
    )
    occurred_on: date = Field(description="发生日期（不得晚于今天） / when it happened")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)
    contact: ContactIn | None = Field(
        default=None, description="不填即匿名 / omit to stay anonymous"
    )
    campaign_id: Line | None = Field(default=None, max_length=64)

    @field_validator("channel")
    @classmethod
    def _submittable(cls, value: TipChannel) -> TipChannel:
        if value is TipChannel.public_evaluation:
            raise PydanticCustomError(
                "channel_reserved",
                "public_evaluation tips come only from evaluation meetings",
                {"zh": "民主评议会渠道的线索只能由评议系统转入"},
            )
        return value


class TipReceipt(BaseModel):
    tip_id: str
    receipt_code: str = Field(description="回执码：凭此查询办理进度 / keep it to follow the tip")
    status: str
    received_at: datetime
    message_zh: str = "已收到您反映的问题。请妥善保存回执码，凭回执码可查询办理进度。"
    message_en: str = "Your tip was received. Keep the receipt code to follow its progress."


class StatusLookup(_Body):
    receipt_code: Line = Field(min_length=1, max_length=40, description="回执码 / receipt code")


class TipPublicStatus(BaseModel):
    """What anyone holding the receipt code may see: no internal notes, no names."""

    status: str
    status_zh: str
    received_on: date
    updated_on: date
    referred_to: str = ""


class TipView(BaseModel):
    tip_id: str
    status: str
    status_zh: str
    campaign_id: str
    channel: str
    region_code: str
    handling_region_code: str
    agency_id: str
    has_text: bool = Field(description="内容已加密，经留痕接口查看 / sealed: read via text/decrypt")
    anonymous: bool
    triage_due_at: datetime | None
    verification_due_at: datetime | None
    escalated: list[TipStage]
    assignee: str
    merged_into: str
    merged_tips: list[str]
    referred_to: str
    problem_ids: list[str]
    received_at: datetime | None
    updated_at: datetime | None


class TipPage(BaseModel):
    total: int
    offset: int
    limit: int
    tips: list[TipView]


class AcceptBody(_Body):
    note: Text = Field(default="", max_length=2000)


class RejectBody(_Body):
    reason: Text = Field(min_length=1, max_length=2000, description="不予受理理由")
    referred_to: Line = Field(default="", max_length=200, description="转交的部门 / referred to")


class MergeBody(_Body):
    into_tip_id: Line = Field(min_length=1, max_length=64)


class AssignBody(_Body):
    assignee: Line = Field(min_length=1, max_length=128, description="承办的法制办或机关编号")
    note: Text = Field(default="", max_length=2000)


class TransferBody(_Body):
    to_region_code: Line = Field(pattern=REGION_CODE)
    reason: Text = Field(min_length=1, max_length=2000)


class ProblemIn(_Body):
    agency_id: Line | None = Field(default=None, max_length=64, description="默认为线索所涉机关")
    category: ProblemCategory
    kind: Line = Field(min_length=1, max_length=64, description="如 arbitrary_fine、fine_quota")
    severity: Severity
    summary: Text = Field(min_length=1, max_length=2000)


class SubstantiateBody(_Body):
    findings: Text = Field(min_length=1, max_length=5000)
    problems: list[ProblemIn] = Field(min_length=1, max_length=20)


class UnsubstantiateBody(_Body):
    reason: Text = Field(min_length=1, max_length=2000)


class DecryptBody(_Body):
    purpose: Text = Field(min_length=1, max_length=500, description="查看目的（将被记录）")


class EraseBody(_Body):
    reason: Text = Field(min_length=1, max_length=500, description="删除理由（将被记录）")


class ContactOut(BaseModel):
    tip_id: str
    erased: bool
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class Verified(BaseModel):
    tip_id: str
    status: str
    problem_ids: list[str] = []


class ProblemView(BaseModel):
    problem_id: str
    campaign_id: str
    agency_id: str
    region_code: str
    category: ProblemCategory
    kind: str
    severity: Severity
    summary: str
    source: str
    source_tip_ids: list[str]
    source_report_id: str
    phase: str
    found_at: datetime


class ProblemPage(BaseModel):
    total: int
    offset: int
    limit: int
    problems: list[ProblemView]


class PlanBody(_Body):
    campaign_id: Line | None = Field(default=None, max_length=64)
    targeted_categories: list[ProblemCategory] = Field(min_length=1, max_length=6)
    methods: Text = Field(min_length=1, max_length=5000, description="方法步骤")
    goals: Text = Field(min_length=1, max_length=5000, description="目标要求")


class AnalysisBody(_Body):
    campaign_id: Line | None = Field(default=None, max_length=64)
    unit: Line = Field(min_length=1, max_length=100, description="处、科、室或党支部")
    categories: list[ProblemCategory] = Field(default_factory=list, max_length=6)
    findings: Text = Field(min_length=1, max_length=10000)


class ReportProblemIn(_Body):
    category: ProblemCategory
    kind: Line = Field(min_length=1, max_length=64)
    severity: Severity
    summary: Text = Field(min_length=1, max_length=2000)


class ReportBody(_Body):
    campaign_id: Line | None = Field(default=None, max_length=64)
    summary: Text = Field(min_length=1, max_length=10000)
    problems: list[ReportProblemIn] = Field(default_factory=list, max_length=100)


class Filing(BaseModel):
    agency_id: str
    campaign_id: str
    filing_id: str
    phase: str
    problem_ids: list[str] = []


class SelfInspectionView(BaseModel):
    agency_id: str
    campaign_id: str
    plan_id: str
    analysis_ids: list[str]
    report_id: str
    problem_ids: list[str]


class TimerRun(BaseModel):
    escalated: int
    problems_recorded: int
    at: datetime
