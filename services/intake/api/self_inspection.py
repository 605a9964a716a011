"""Agencies' own filings: implementation plan, self-analysis, self-inspection report."""

from __future__ import annotations

from fastapi import APIRouter, status

from shared.access_policy import Resource, Scope, readers_of
from shared.actors import Actor, Role
from shared.auth import CurrentActor
from shared.body_limit import KiB, MiB, body_limit
from shared.clock import local_date
from shared.errors import Forbidden, NotFound
from shared.events.directory import AgencyRecord, PhaseCode
from shared.events.intake import FoundProblem
from shared.eventstore import CommandContext
from shared.ids import prefixed_id
from shared.text import IdPath

from ..application import new_problem_id, record_report_problems
from ..domain.access import covers
from ..domain.commands import (
    FileImplementationPlan,
    FileSelfAnalysis,
    FileSelfInspectionReport,
    SelfInspectionCommand,
)
from ..domain.self_inspection import SelfInspectionState, self_inspection_id
from ..parts import IntakeParts
from ..store import SELF_INSPECTION
from .deps import CorrelationId, Parts
from .models import AnalysisBody, Filing, PlanBody, ReportBody, SelfInspectionView

router = APIRouter(prefix="/self-inspection", tags=["self-inspection / 机关自查"])


def _own_agency(parts: IntakeParts, actor: Actor) -> AgencyRecord:
    actor.require(Role.agency_staff)
    agency = parts.directory.agencies.get(actor.organisation)
    if agency is None:
        raise Forbidden(
            f"您的单位 {actor.organisation} 不是已登记的执法机关",
            f"your organisation {actor.organisation} is not a registered agency",
            code="unknown_agency",
        )
    return agency


async def _file(
    parts: IntakeParts,
    agency: AgencyRecord,
    campaign_id: str,
    command: SelfInspectionCommand,
    actor: Actor,
    correlation: str,
) -> str:
    aggregate_id = self_inspection_id(campaign_id, agency.agency_id)
    context = CommandContext(
        actor=actor.as_extension(),
        campaign_id=campaign_id,
        region_code=agency.region_code,
        correlation_id=correlation,
    )
    await parts.store.execute(SELF_INSPECTION, aggregate_id, command, context)
    return aggregate_id


def _phase(parts: IntakeParts, campaign_id: str) -> PhaseCode | None:
    return parts.directory.phase_code_on(campaign_id, local_date(parts.clock.now()))


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送实施方案（动员部署阶段） / File the implementation plan (phase 1)",
)
@body_limit(256 * KiB)  # two texts of 5000 characters, \u-escaped by some clients
async def file_plan(
    body: PlanBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    agency = _own_agency(parts, actor)
    campaign_id = body.campaign_id or parts.settings.default_campaign_id
    phase = _phase(parts, campaign_id)
    plan_id = prefixed_id("plan-", 16)
    command = FileImplementationPlan(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        plan_id=plan_id,
        targeted_categories=tuple(body.targeted_categories),
        methods=body.methods,
        goals=body.goals,
        phase=phase,
        at=parts.clock.now(),
    )
    await _file(parts, agency, campaign_id, command, actor, correlation)
    return Filing(
        agency_id=agency.agency_id, campaign_id=campaign_id, filing_id=plan_id, phase=str(phase)
    )


@router.post(
    "/analyses",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送剖析材料（查找问题阶段） / File self-analysis material (phase 2)",
)
@body_limit(256 * KiB)  # findings of 10 000 characters, \u-escaped by some clients
async def file_analysis(
    body: AnalysisBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    agency = _own_agency(parts, actor)
    campaign_id = body.campaign_id or parts.settings.default_campaign_id
    phase = _phase(parts, campaign_id)
    analysis_id = prefixed_id("anl-", 16)
    command = FileSelfAnalysis(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        analysis_id=analysis_id,
        unit=body.unit,
        categories=tuple(body.categories),
        findings=body.findings,
        phase=phase,
        at=parts.clock.now(),
    )
    await _file(parts, agency, campaign_id, command, actor, correlation)
    return Filing(
        agency_id=agency.agency_id, campaign_id=campaign_id, filing_id=analysis_id, phase=str(phase)
    )


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送自查报告（查找问题阶段） / File the self-inspection report (phase 2)",
    description="报告所列每个问题产生一个来源为 self_inspection 的 ProblemFound。",
)
@body_limit(2 * MiB)  # a summary and 100 problems of 2000 characters each, \u-escaped
async def file_report(
    body: ReportBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    agency = _own_agency(parts, actor)
    campaign_id = body.campaign_id or parts.settings.default_campaign_id
    phase = _phase(parts, campaign_id)
    report_id = prefixed_id("rep-", 16)
    problems = tuple(
        FoundProblem(
            problem_id=new_problem_id(),
            agency_id=agency.agency_id,
            region_code=agency.region_code,
            category=p.category,
            kind=p.kind,
            severity=p.severity,
            summary=p.summary,
        )
        for p in body.problems
    )
    command = FileSelfInspectionReport(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        report_id=report_id,
        summary=body.summary,
        problems=problems,
        phase=phase,
        at=parts.clock.now(),
    )
    aggregate_id = await _file(parts, agency, campaign_id, command, actor, correlation)
    await record_report_problems(parts, aggregate_id, correlation)
    return Filing(
        agency_id=agency.agency_id,
        campaign_id=campaign_id,
        filing_id=report_id,
        phase=str(phase),
        problem_ids=[p.problem_id for p in problems],
    )


@router.get(
    "/{agency_id}",
    response_model=SelfInspectionView,
    summary="机关自查报送情况 / An agency's filings",
)
async def get_filings(
    agency_id: IdPath, parts: Parts, actor: CurrentActor, campaign_id: str | None = None
) -> SelfInspectionView:
    agency = parts.directory.agencies.get(agency_id)
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise Forbidden("只能查看本机关的报送", "you may see only your own agency's filings")
    else:
        actor.require(*readers_of(Resource.self_inspection, Scope.own_region))
        # An unknown agency and one outside the actor's region get the same answer.
        if agency is None or not covers(actor, agency.region_code):
            raise NotFound(
                f"未找到机关 {agency_id}，或您无权查看该机关的报送",
                f"no agency {agency_id}, or you may not see its filings",
                field="agency_id",
            )
    campaign = campaign_id or parts.settings.default_campaign_id
    state: SelfInspectionState = parts.store.state(
        SELF_INSPECTION, self_inspection_id(campaign, agency_id)
    )
    return SelfInspectionView(
        agency_id=agency_id,
        campaign_id=campaign,
        plan_id=state.plan_id,
        analysis_ids=sorted(state.analysis_ids),
        report_id=state.report_id,
        problem_ids=list(state.problem_ids),
    )
