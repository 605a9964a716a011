"""Agencies' own filings: the implementation plan (phase 1), self-analysis material
and the self-inspection report (phase 2), whose problems each become a
``ProblemFound``; and who reads an agency's filings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.actors import Actor, Role
from shared.clock import local_date
from shared.errors import Forbidden, NotFound
from shared.events.directory import AgencyRecord, PhaseCode
from shared.events.intake import FoundProblem
from shared.eventstore import CommandContext
from shared.ids import prefixed_id
from shared.vocabulary import ProblemCategory

from ..domain.access import covers
from ..domain.commands import (
    FileImplementationPlan,
    FileSelfAnalysis,
    FileSelfInspectionReport,
    SelfInspectionCommand,
)
from ..domain.self_inspection import SelfInspectionState, self_inspection_id
from ..store import SELF_INSPECTION
from .app import IntakeApp
from .ids import new_problem_id
from .problems import ProblemDraft, record_report_problems


@dataclass(frozen=True)
class Filed:
    agency_id: str
    campaign_id: str
    filing_id: str
    phase: PhaseCode | None
    problem_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filings:
    agency_id: str
    campaign_id: str
    state: SelfInspectionState


async def file_plan(
    app: IntakeApp,
    actor: Actor,
    *,
    campaign_id: str = "",
    targeted_categories: Sequence[ProblemCategory],
    methods: str,
    goals: str,
    correlation_id: str = "",
) -> Filed:
    agency = _own_agency(app, actor)
    campaign_id = campaign_id or app.settings.default_campaign_id
    phase = _phase(app, campaign_id)
    plan_id = prefixed_id("plan-", 16)
    command = FileImplementationPlan(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        plan_id=plan_id,
        targeted_categories=tuple(targeted_categories),
        methods=methods,
        goals=goals,
        phase=phase,
        at=app.clock.now(),
    )
    await _file(app, actor, agency, campaign_id, command, correlation_id)
    return Filed(agency.agency_id, campaign_id, plan_id, phase)


async def file_analysis(
    app: IntakeApp,
    actor: Actor,
    *,
    campaign_id: str = "",
    unit: str,
    categories: Sequence[ProblemCategory] = (),
    findings: str,
    correlation_id: str = "",
) -> Filed:
    agency = _own_agency(app, actor)
    campaign_id = campaign_id or app.settings.default_campaign_id
    phase = _phase(app, campaign_id)
    analysis_id = prefixed_id("anl-", 16)
    command = FileSelfAnalysis(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        analysis_id=analysis_id,
        unit=unit,
        categories=tuple(categories),
        findings=findings,
        phase=phase,
        at=app.clock.now(),
    )
    await _file(app, actor, agency, campaign_id, command, correlation_id)
    return Filed(agency.agency_id, campaign_id, analysis_id, phase)


async def file_report(
    app: IntakeApp,
    actor: Actor,
    *,
    campaign_id: str = "",
    summary: str,
    problems: Sequence[ProblemDraft] = (),
    correlation_id: str = "",
) -> Filed:
    """Each problem of the report becomes a ``ProblemFound`` (source self_inspection)
    at the agency that filed it, recorded before this returns."""
    agency = _own_agency(app, actor)
    campaign_id = campaign_id or app.settings.default_campaign_id
    phase = _phase(app, campaign_id)
    report_id = prefixed_id("rep-", 16)
    found = tuple(
        FoundProblem(
            problem_id=new_problem_id(),
            agency_id=agency.agency_id,
            region_code=agency.region_code,
            category=p.category,
            kind=p.kind,
            severity=p.severity,
            summary=p.summary,
        )
        for p in problems
    )
    command = FileSelfInspectionReport(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        report_id=report_id,
        summary=summary,
        problems=found,
        phase=phase,
        at=app.clock.now(),
    )
    aggregate_id = await _file(app, actor, agency, campaign_id, command, correlation_id)
    await record_report_problems(app, aggregate_id, correlation_id)
    return Filed(
        agency.agency_id, campaign_id, report_id, phase, tuple(p.problem_id for p in found)
    )


async def filings_of(
    app: IntakeApp, actor: Actor, agency_id: str, campaign_id: str = ""
) -> Filings:
    """Agency staff read their own agency's filings; staff of a region, those of the
    agencies in it (an unknown agency and one outside it get the same answer)."""
    agency = app.directory.agencies.get(agency_id)
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise Forbidden("只能查看本机关的报送", "you may see only your own agency's filings")
    else:
        actor.require(Role.intake_officer, Role.legal_office, Role.auditor, Role.admin)
        if agency is None or not covers(actor, agency.region_code):
            raise NotFound(
                f"未找到机关 {agency_id}，或您无权查看该机关的报送",
                f"no agency {agency_id}, or you may not see its filings",
                field="agency_id",
            )
    campaign = campaign_id or app.settings.default_campaign_id
    state: SelfInspectionState = app.store.state(
        SELF_INSPECTION, self_inspection_id(campaign, agency_id)
    )
    return Filings(agency_id, campaign, state)


def _own_agency(app: IntakeApp, actor: Actor) -> AgencyRecord:
    actor.require(Role.agency_staff)
    agency = app.directory.agencies.get(actor.organisation)
    if agency is None:
        raise Forbidden(
            f"您的单位 {actor.organisation} 不是已登记的执法机关",
            f"your organisation {actor.organisation} is not a registered agency",
            code="unknown_agency",
        )
    return agency


def _phase(app: IntakeApp, campaign_id: str) -> PhaseCode | None:
    return app.directory.phase_code_on(campaign_id, local_date(app.clock.now()))


async def _file(
    app: IntakeApp,
    actor: Actor,
    agency: AgencyRecord,
    campaign_id: str,
    command: SelfInspectionCommand,
    correlation_id: str,
) -> str:
    aggregate_id = self_inspection_id(campaign_id, agency.agency_id)
    context = CommandContext(
        actor=actor.as_extension(),
        campaign_id=campaign_id,
        region_code=agency.region_code,
        correlation_id=correlation_id,
    )
    await app.store.execute(SELF_INSPECTION, aggregate_id, command, context)
    return aggregate_id
