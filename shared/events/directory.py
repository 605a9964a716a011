"""Reference data on ``directory.events``: campaigns and their phases, agencies,
regulated entities. A campaign is data, not code."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.events.registry import event
from shared.vocabulary import AdminLevel, Power, Sector


class PhaseCode(StrEnum):
    mobilisation = "mobilisation"  # 动员部署
    finding = "finding"  # 查找问题
    rectification = "rectification"  # 整改落实
    evaluation = "evaluation"  # 群众评议
    summary = "summary"  # 总结提高


class Phase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1, le=5)
    code: PhaseCode
    name_zh: str
    starts_on: date
    ends_on: date


class CampaignRules(BaseModel):
    """Deadlines and thresholds that later steps read from the campaign's data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    triage_days: int = Field(default=3, ge=1)
    verification_days: int = Field(default=15, ge=1)
    rectification_days_low: int = Field(default=60, ge=1)
    rectification_days_medium: int = Field(default=45, ge=1)
    rectification_days_high: int = Field(default=30, ge=1)
    due_lead_days: int = Field(default=7, ge=0)
    escalation_grace_days: int = Field(default=7, ge=0)
    referral_ack_days: int = Field(default=15, ge=1)
    min_representatives: int = Field(default=30, ge=1)
    lookback_dissatisfaction_rate: float = Field(default=0.2, ge=0, le=1)
    lookback_problems_raised: int = Field(default=5, ge=1)
    # Fewer valid ballots than this would let anyone read a few people's votes.
    min_valid_ballots: int = Field(default=5, ge=1)


class CampaignRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_id: str
    name: str
    document_no: str = ""
    region_code: str
    phases: tuple[Phase, ...]
    rules: CampaignRules = CampaignRules()


class AgencyRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_id: str
    name: str
    region_code: str
    level: AdminLevel
    sector: Sector
    powers: tuple[Power, ...]
    supervising_office: str = ""


class EntityKind(StrEnum):
    firm = "firm"  # 企业
    individual_business = "individual_business"  # 个体工商户
    citizen = "citizen"  # 公民


class RegulatedEntityRecord(BaseModel):
    """A firm or person an agency regulates. Name and contact are sealed per subject
    (crypto-shredding); the id is pseudonymous."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: str
    kind: EntityKind
    region_code: str
    agency_ids: tuple[str, ...]
    sealed_name: str
    sealed_contact: str = ""


@event("directory.CampaignRegistered")
class CampaignRegistered(DomainEvent):
    campaign: CampaignRecord


@event("directory.CampaignChanged")
class CampaignChanged(DomainEvent):
    campaign: CampaignRecord


@event("directory.AgencyRegistered")
class AgencyRegistered(DomainEvent):
    agency: AgencyRecord


@event("directory.AgencyChanged")
class AgencyChanged(DomainEvent):
    agency: AgencyRecord


@event("directory.RegulatedEntityRegistered")
class RegulatedEntityRegistered(DomainEvent):
    entity: RegulatedEntityRecord


@event("directory.RegulatedEntityChanged")
class RegulatedEntityChanged(DomainEvent):
    entity: RegulatedEntityRecord
