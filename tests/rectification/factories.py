"""Builders shared by the rectification tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from shared.actors import Actor, Role
from shared.events.directory import CampaignRecord, CampaignRules, Phase, PhaseCode
from shared.events.intake import ProblemFound, ProblemSource
from shared.vocabulary import ProblemCategory, Severity

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


def office(region: str = CITY) -> Actor:
    return Actor(
        subject="officer",
        role=Role.legal_office,
        organisation=f"office-{region}",
        region_code=region,
    )


def liaison(region: str = CITY) -> Actor:
    return Actor(
        subject="liaison",
        role=Role.discipline_liaison,
        organisation=f"discipline-{region}",
        region_code=region,
    )


def campaign(campaign_id: str, rules: CampaignRules, starts: date, ends: date) -> CampaignRecord:
    phases = (
        Phase(
            number=1,
            code=PhaseCode.mobilisation,
            name_zh="动员部署",
            starts_on=date(2016, 6, 6),
            ends_on=date(2016, 7, 15),
        ),
        Phase(
            number=2,
            code=PhaseCode.finding,
            name_zh="查找问题",
            starts_on=date(2016, 7, 16),
            ends_on=date(2016, 8, 31),
        ),
        Phase(
            number=3,
            code=PhaseCode.rectification,
            name_zh="整改落实",
            starts_on=starts,
            ends_on=ends,
        ),
    )
    return CampaignRecord(
        campaign_id=campaign_id,
        name="测试专项治理",
        region_code="360000",
        phases=phases,
        rules=rules,
    )
