"""Agencies' own filings and the directory reads, without a broker: the plan in
phase 1, analyses and the report in phase 2 (its problems becoming ``ProblemFound``),
who reads an agency's filings; campaigns and agencies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.application import directory
from services.intake.application.problems import (
    ProblemDraft,
    reconcile_problems,
    record_report_problems,
)
from services.intake.application.self_inspection import (
    file_analysis,
    file_plan,
    file_report,
    filings_of,
)
from shared.actors import Role
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.directory import PhaseCode
from shared.settings import Settings
from shared.vocabulary import ProblemCategory, Sector, Severity

from .fakes import Desk, actor
from .helpers import START

QUOTA = ProblemDraft(ProblemCategory.oversight, "fine_quota", Severity.medium, "下达罚没指标")


async def test_the_plan_is_filed_in_the_mobilisation_phase(settings: Settings) -> None:
    desk = await Desk.open(settings, start=datetime(2016, 7, 1, 2, 0, tzinfo=UTC))
    staff = actor(Role.agency_staff, "360102", organisation=desk.world.agency_id)
    campaign = desk.world.campaign_id
    filed = await file_plan(
        desk.app,
        staff,
        campaign_id=campaign,
        targeted_categories=[ProblemCategory.procedural],
        methods="逐案自查",
        goals="全面整改",
    )
    assert filed.phase is PhaseCode.mobilisation and filed.filing_id.startswith("plan-")
    assert desk.types() == ["ImplementationPlanFiled"]
    plan = desk.last("ImplementationPlanFiled")
    assert plan["agency_id"] == desk.world.agency_id and plan["plan_id"] == filed.filing_id
    assert desk.events("ImplementationPlanFiled")[0].regioncode == "360102"
    desk.clock.set(START)  # the finding phase
    with pytest.raises(Conflict) as late:
        await file_plan(
            desk.app, staff, campaign_id=campaign, targeted_categories=[], methods="m", goals="g"
        )
    assert late.value.code == "wrong_phase" and late.value.zh
    assert desk.types() == ["ImplementationPlanFiled"]


async def test_analyses_and_the_report_are_filed_in_the_finding_phase(desk: Desk) -> None:
    staff = actor(Role.agency_staff, "360102", organisation=desk.world.agency_id)
    campaign = desk.world.campaign_id
    analysis = await file_analysis(
        desk.app, staff, campaign_id=campaign, unit="执法一科", findings="存在以罚代管"
    )
    report = await file_report(
        desk.app, staff, campaign_id=campaign, summary="自查发现两个问题", problems=[QUOTA, QUOTA]
    )
    assert analysis.phase is report.phase is PhaseCode.finding
    assert desk.types() == [
        "SelfAnalysisFiled",
        "SelfInspectionReportFiled",
        "ProblemFound",
        "ProblemFound",
    ]
    found = [e.data for e in desk.events("ProblemFound")]
    assert [f["problem_id"] for f in found] == list(report.problem_ids)
    assert all(f["source"] == "self_inspection" for f in found)
    assert all(f["source_report_id"] == report.filing_id for f in found)
    assert all(f["agency_id"] == desk.world.agency_id for f in found)
    with pytest.raises(Conflict) as twice:
        await file_report(desk.app, staff, campaign_id=campaign, summary="再报")
    assert twice.value.code == "duplicate"
    filings = await filings_of(desk.app, staff, desk.world.agency_id, campaign)
    assert filings.state.report_id == report.filing_id
    assert filings.state.analysis_ids == frozenset({analysis.filing_id})


async def test_only_the_staff_of_a_registered_agency_file(desk: Desk) -> None:
    with pytest.raises(Forbidden) as unknown:
        await file_analysis(
            desk.app, actor(Role.agency_staff, "360102", "ag-nowhere"), unit="u", findings="f"
        )
    assert unknown.value.code == "unknown_agency"
    with pytest.raises(Forbidden):
        await file_analysis(desk.app, actor(Role.intake_officer, "360102"), unit="u", findings="f")
    assert desk.types() == []


async def test_filings_are_read_by_the_agency_and_by_staff_of_its_region(desk: Desk) -> None:
    agency_id = desk.world.agency_id
    campaign = desk.world.campaign_id
    own = actor(Role.agency_staff, "360102", organisation=agency_id)
    assert (await filings_of(desk.app, own, agency_id, campaign)).state.report_id == ""
    other_agency = actor(Role.agency_staff, "360100", organisation=desk.world.city_agency_id)
    with pytest.raises(Forbidden):
        await filings_of(desk.app, other_agency, agency_id, campaign)
    city = actor(Role.intake_officer, "360100")
    filings = await filings_of(desk.app, city, agency_id)
    assert filings.campaign_id == desk.app.settings.default_campaign_id
    with pytest.raises(NotFound) as outside:
        await filings_of(desk.app, actor(Role.intake_officer, "360102"), desk.world.city_agency_id)
    with pytest.raises(NotFound) as unknown:
        await filings_of(desk.app, city, "ag-nowhere")
    assert outside.value.field == unknown.value.field == "agency_id"
    with pytest.raises(Forbidden):
        await filings_of(desk.app, actor(Role.public, "360102"), agency_id)


async def test_the_directory_answers_campaigns_and_agencies(desk: Desk) -> None:
    campaign = await directory.campaign(desk.app, desk.world.campaign_id)
    assert campaign.phases[0].code is PhaseCode.mobilisation
    with pytest.raises(NotFound) as unknown:
        await directory.campaign(desk.app, "no-such-campaign")
    assert unknown.value.field == "id" and unknown.value.zh
    every = [a.agency_id for a in await directory.agencies(desk.app)]
    assert every == sorted([desk.world.agency_id, desk.world.city_agency_id])
    county = await directory.agencies(desk.app, region_code="360102")
    assert [a.agency_id for a in county] == [desk.world.agency_id]
    market = await directory.agencies(desk.app, sector=Sector.market_supervision)
    assert [a.agency_id for a in market] == [desk.world.city_agency_id]
    assert await directory.agencies(desk.app, region_code="999999") == []


async def test_a_reports_problems_a_crash_left_unrecorded_are_recorded_by_the_next_pass(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = actor(Role.agency_staff, "360102", organisation=desk.world.agency_id)

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the process died after the report")

    with monkeypatch.context() as patched:
        patched.setattr("services.intake.application.self_inspection.record_report_problems", crash)
        with pytest.raises(RuntimeError):
            await file_report(
                desk.app,
                staff,
                campaign_id=desk.world.campaign_id,
                summary="自查",
                problems=[QUOTA],
            )
    assert desk.types() == ["SelfInspectionReportFiled"]
    (aggregate_id,) = desk.app.store.reports_with_problems.members()
    assert await record_report_problems(desk.app, aggregate_id) == 1
    assert await reconcile_problems(desk.app) == 0  # recorded once, and off the work list
    assert desk.types() == ["SelfInspectionReportFiled", "ProblemFound"]
    assert desk.app.store.reports_with_problems.members() == []
