"""Request and response models of the API (validation errors name the field)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.rectification.domain.cases.state import CaseState
from services.rectification.domain.items.state import ItemState, ItemStatus
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseKind,
    CaseOrigin,
    DeadlineThreshold,
    EvidenceRef,
    ReferralBody,
    RegulationAdopted,
    RegulationKind,
)
from shared.fields import copy_fields
from shared.paging import Page
from shared.text import Line, Text, clean_lines_of

REGION = r"^\d{6}$"


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- items ------------------------------------------------------------------------


class NamePersonRequest(RequestBody):
    responsible_person: Line = Field(
        min_length=1, max_length=100, description="position or staff id (职务或工号)"
    )


def _clean_evidence(evidence: EvidenceRef) -> EvidenceRef:
    return clean_lines_of(evidence, "title", "media_type", "location")


Evidence = Annotated[EvidenceRef, AfterValidator(_clean_evidence)]


class ProgressRequest(RequestBody):
    note: Text = Field(min_length=1, max_length=4000)
    percent: int = Field(ge=0, le=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)


class CompletionRequest(RequestBody):
    measures: Text = Field(min_length=1, max_length=8000, description="measures taken")
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)


class VerificationRequest(RequestBody):
    note: Text = Field(default="", max_length=4000)


class ReturnRequest(RequestBody):
    reasons: Text = Field(min_length=1, max_length=4000)


class ExtensionRequest(RequestBody):
    due_on: date = Field(description="the new deadline asked for")
    reason: Text = Field(min_length=1, max_length=4000)


class ExtensionDecline(RequestBody):
    reasons: Text = Field(min_length=1, max_length=4000)


class ItemView(BaseModel):
    item_id: str
    agency_name: str = Field(default="", description="from the directory, when known")
    problem_id: str
    campaign_id: str
    agency_id: str
    region_code: str
    category: str
    kind: str
    severity: str
    summary: str
    responsible_unit: str
    responsible_person: str
    status: ItemStatus
    percent: int
    due_on: date
    rectification_ends_on: date
    due_reminded: bool
    overdue: bool
    escalated: bool
    extensions: int
    pending_extension_due_on: date | None
    last_note: str
    measures: str
    return_reasons: str
    opened_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, state: ItemState, agency_name: str = "") -> ItemView:
        return copy_fields(
            state,
            cls,
            agency_name=agency_name,
            responsible_unit=state.agency_id,
            due_reminded=state.reached(DeadlineThreshold.due),
            pending_extension_due_on=(
                state.pending_extension.due_on if state.pending_extension else None
            ),
        )


class ItemPage(Page):
    items: list[ItemView]


# -- cases ------------------------------------------------------------------------


class OpenCaseRequest(RequestBody):
    region_code: Line | None = Field(
        default=None, pattern=REGION, description="defaults to the actor's region"
    )
    kind: CaseKind
    origin: CaseOrigin
    title: Line = Field(min_length=1, max_length=200)
    summary: Text = Field(min_length=1, max_length=8000)
    problem_ids: list[Line] = Field(min_length=1, max_length=200)


class ReferralRequest(RequestBody):
    body: ReferralBody
    receiving_body: Line = Field(min_length=1, max_length=200)
    reason: Text = Field(min_length=1, max_length=4000)
    acknowledge_by: date | None = Field(
        default=None, description="defaults to the campaign's referral_ack_days from today"
    )


class AcknowledgementRequest(RequestBody):
    reference_no: Line = Field(default="", max_length=100)
    note: Text = Field(default="", max_length=4000)


class ExposureRequest(RequestBody):
    headline: Line = Field(min_length=1, max_length=200)
    summary: Text = Field(
        min_length=1, max_length=8000, description="written without names; numbers are masked"
    )
    channel: Line = Field(min_length=1, max_length=200, description="e.g. a website or newspaper")


class AccountabilityRequest(RequestBody):
    target: AccountabilityTarget
    target_ref: Line = Field(
        min_length=1, max_length=100, description="unit id, or pseudonymous staff id"
    )
    grounds: list[AccountabilityGround] = Field(min_length=1, max_length=10)
    measure: AccountabilityMeasure
    note: Text = Field(default="", max_length=4000)


class ReferralView(BaseModel):
    referral_id: str
    body: ReferralBody
    receiving_body: str
    reason: str
    acknowledge_by: date
    referred_at: datetime
    acknowledged_at: datetime | None
    reference_no: str
    overdue: bool


class DecisionView(BaseModel):
    decision_id: str
    target: AccountabilityTarget
    target_ref: str
    grounds: list[AccountabilityGround]
    measure: AccountabilityMeasure
    decided_at: datetime


class ExposureView(BaseModel):
    headline: str
    redacted_summary: str
    channel: str
    exposed_at: datetime


class CaseView(BaseModel):
    case_id: str
    campaign_id: str
    region_code: str
    kind: CaseKind
    origin: CaseOrigin
    title: str
    summary: str
    problem_ids: list[str]
    agency_ids: list[str]
    opened_at: datetime
    referrals: list[ReferralView]
    exposure: ExposureView | None
    decisions: list[DecisionView]

    @classmethod
    def of(cls, state: CaseState) -> CaseView:
        return copy_fields(
            state,
            cls,
            referrals=[copy_fields(r, ReferralView) for r in state.referrals],
            exposure=copy_fields(state.exposure, ExposureView) if state.exposure else None,
            decisions=[copy_fields(d, DecisionView) for d in state.decisions],
        )


class CasePage(Page):
    cases: list[CaseView]


# -- regulations -------------------------------------------------------------------


class RegulationRequest(RequestBody):
    agency_id: Line = Field(default="", max_length=100, description="required for agency staff")
    region_code: Line | None = Field(default=None, pattern=REGION)
    kind: RegulationKind
    title: Line = Field(min_length=1, max_length=200)
    summary: Text = Field(default="", max_length=8000)
    problem_ids: list[Line] = Field(min_length=1, max_length=200)
    adopted_on: date


class RegulationView(BaseModel):
    regulation_id: str
    campaign_id: str
    region_code: str
    agency_id: str
    kind: RegulationKind
    title: str
    summary: str
    problem_ids: list[str]
    adopted_on: date
    recorded_at: datetime

    @classmethod
    def of(cls, event: RegulationAdopted) -> RegulationView:
        return copy_fields(event, cls)


class RegulationPage(Page):
    regulations: list[RegulationView]
