"""Builders shared by the rectification tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from shared.actors import Actor, Role
from shared.events.directory import AgencyRecord, CampaignRecord, CampaignRules, Phase, PhaseCode
from shared.events.intake import ProblemFound, ProblemSource
from shared.vocabulary import AdminLevel, Power, ProblemCategory, Sector, Severity

AGENCY = "agency-360102-urban"
REGION = "360102"  # 东湖区, in 南昌市 360100
CITY = "360100"
# No test registers this campaign: items fall back to the defaults of the 2016 plan.
UNREGISTERED_CAMPAIGN = "jx-test-unregistered-campaign"
FOUND_AT = datetime(2016, 8, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def problem(
    problem_id: str | None = None,
    *,
    severity: Severity = Severity.high,
    found_at: datetime = FOUND_AT,
    agency_id: str = AGENCY,
    region_code: str = REGION,
    campaign_id: str = UNREGISTERED_CAMPAIGN,
) -> ProblemFound:
    return ProblemFound(
        problem_id=problem_id or fresh("prb-"),
        campaign_id=campaign_id,
        agency_id=agency_id,
        region_code=region_code,
        category=ProblemCategory.procedural,
        kind="arbitrary_fine",
        severity=severity,
        summary="城管执法队员在无法定依据的情况下对摊贩罚款",
        source=ProblemSource.tip,
        source_tip_ids=("tip-1",),
        phase=PhaseCode.finding,
        found_at=found_at,
    )


def staff(agency_id: str = AGENCY, region: str = REGION) -> Actor:
    return Actor(
        subject="clerk", role=Role.agency_staff, organisation=agency_id, region_code=region
    )


def _of_region(role: Role, subject: str, organisation: str, region: str) -> Actor:
    """An officer of ``region``'s ``organisation`` (``office``, ``discipline``)."""
    return Actor(
        subject=subject, role=role, organisation=f"{organisation}-{region}", region_code=region
    )


def office(region: str = CITY) -> Actor:
    return _of_region(Role.legal_office, "officer", "office", region)


def liaison(region: str = CITY) -> Actor:
    return _of_region(Role.discipline_liaison, "liaison", "discipline", region)


def agency_record(agency_id: str = AGENCY, name: str = "东湖区城管局") -> AgencyRecord:
    """An urban management bureau of 东湖区 with the power to fine."""
    return AgencyRecord(
        agency_id=agency_id,
        name=name,
        region_code=REGION,
        level=AdminLevel.county,
        sector=Sector.urban_management,
        powers=(Power.penalty,),
    )


# The phases before rectification, as the 2016 plan has them: code, name, first and
# last day.
PHASES_BEFORE = (
    (PhaseCode.mobilisation, "动员部署", date(2016, 6, 6), date(2016, 7, 15)),
    (PhaseCode.finding, "查找问题", date(2016, 7, 16), date(2016, 8, 31)),
)


def campaign(campaign_id: str, rules: CampaignRules, starts: date, ends: date) -> CampaignRecord:
    """A campaign of the province whose rectification phase runs ``starts`` .. ``ends``."""
    phases = (*PHASES_BEFORE, (PhaseCode.rectification, "整改落实", starts, ends))
    return CampaignRecord(
        campaign_id=campaign_id,
        name="测试专项治理",
        region_code="360000",
        phases=tuple(
            Phase(number=number, code=code, name_zh=name, starts_on=first, ends_on=last)
            for number, (code, name, first, last) in enumerate(phases, start=1)
        ),
        rules=rules,
    )
