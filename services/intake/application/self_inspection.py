"""Agencies' own filings: the implementation plan (phase 1), self-analysis material
and the self-inspection report (phase 2), whose problems each become a
``ProblemFound``; and who reads an agency's filings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.actors import Actor, Role
from shared.clock import local_date
from shared.errors import Forbidden, NotFound
from shared.events.directory import PhaseCode
from shared.eventstore import CommandContext
from shared.ids import prefixed_id
from shared.vocabulary import ProblemCategory

from ..domain.access import covers
from ..domain.commands import (
    AgencyFiling,
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
    command = FileImplementationPlan(
        **vars(_filing(app, actor, campaign_id)),
        plan_id=prefixed_id("plan-", 16),
        targeted_categories=tuple(targeted_categories),
        methods=methods,
        goals=goals,
    )
    await _file(app, command, correlation_id)
    return _filed(command, command.plan_id)


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
    command = FileSelfAnalysis(
        **vars(_filing(app, actor, campaign_id)),
        analysis_id=prefixed_id("anl-", 16),
        unit=unit,
        categories=tuple(categories),
        findings=findings,
    )
    await _file(app, command, correlation_id)
    return _filed(command, command.analysis_id)


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
    filing = _filing(app, actor, campaign_id)
    found = tuple(
        draft.found(new_problem_id(), filing.agency_id, filing.agency_region_code)
        for draft in problems
    )
    command = FileSelfInspectionReport(
        **vars(filing), report_id=prefixed_id("rep-", 16), summary=summary, problems=found
    )
    aggregate_id = await _file(app, command, correlation_id)
    await record_report_problems(app, aggregate_id, correlation_id)
    return _filed(command, command.report_id, tuple(p.problem_id for p in found))


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


def _filing(app: IntakeApp, actor: Actor, campaign_id: str) -> AgencyFiling:
    """What any filing by ``actor`` carries: their own agency, the campaign (the
    default one when not named), its phase today, the time."""
    actor.require(Role.agency_staff)
    agency = app.directory.agencies.get(actor.organisation)
    if agency is None:
        raise Forbidden(
            f"您的单位 {actor.organisation} 不是已登记的执法机关",
            f"your organisation {actor.organisation} is not a registered agency",
            code="unknown_agency",
        )
    campaign_id = campaign_id or app.settings.default_campaign_id
    now = app.clock.now()
    return AgencyFiling(
        actor=actor,
        agency_id=agency.agency_id,
        agency_region_code=agency.region_code,
        campaign_id=campaign_id,
        phase=app.directory.phase_code_on(campaign_id, local_date(now)),
        at=now,
    )


async def _file(app: IntakeApp, command: SelfInspectionCommand, correlation_id: str) -> str:
    aggregate_id = self_inspection_id(command.campaign_id, command.agency_id)
    context = CommandContext(
        actor=command.actor.as_extension(),
        campaign_id=command.campaign_id,
        region_code=command.agency_region_code,
        correlation_id=correlation_id,
    )
    await app.store.execute(SELF_INSPECTION, aggregate_id, command, context)
    return aggregate_id


def _filed(command: AgencyFiling, filing_id: str, problem_ids: tuple[str, ...] = ()) -> Filed:
    return Filed(command.agency_id, command.campaign_id, filing_id, command.phase, problem_ids)
