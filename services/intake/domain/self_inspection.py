"""An agency's own part of the campaign: its implementation plan (phase 1), the
self-analysis material of its units and people, and its self-inspection report
(phase 2). One aggregate per agency and campaign."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import ClassVar

from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.base import DomainEvent
from shared.events.directory import PhaseCode
from shared.events.intake import (
    ImplementationPlanFiled,
    SelfAnalysisFiled,
    SelfInspectionReportFiled,
)
from shared.vocabulary import check_kind

from .access import require_region, require_role
from .commands import (
    AgencyFiling,
    FileImplementationPlan,
    FileSelfAnalysis,
    FileSelfInspectionReport,
    SelfInspectionCommand,
)
from .tip_checks import not_blank

PHASE_ZH = {
    PhaseCode.mobilisation: "动员部署阶段",
    PhaseCode.finding: "查找问题阶段",
    PhaseCode.rectification: "整改落实阶段",
    PhaseCode.evaluation: "群众评议阶段",
    PhaseCode.summary: "总结提高阶段",
}


def self_inspection_id(campaign_id: str, agency_id: str) -> str:
    return f"sinsp-{campaign_id}-{agency_id}"


@dataclass(frozen=True)
class SelfInspectionState:
    agency_id: str = ""
    plan_id: str = ""
    analysis_ids: frozenset[str] = frozenset()
    report_id: str = ""
    problem_ids: tuple[str, ...] = ()
    report: SelfInspectionReportFiled | None = None


def _staff_of(actor: Actor, agency_id: str, agency_region_code: str) -> None:
    require_role(actor, Role.agency_staff)
    if actor.organisation != agency_id:
        raise Forbidden(
            f"只能以本机关（{actor.organisation}）的名义报送",
            f"you may file only for your own agency ({actor.organisation})",
            code="agency_not_allowed",
        )
    require_region(actor, agency_region_code)


def _in_phase(phase: PhaseCode | None, wanted: PhaseCode, what_zh: str, what_en: str) -> PhaseCode:
    if phase is not wanted:
        now_zh = PHASE_ZH[phase] if phase else "专项治理期间以外"
        raise Conflict(
            f"{what_zh}应在{PHASE_ZH[wanted]}报送，现在是{now_zh}",
            f"{what_en} is filed in the {wanted.value} phase; now is "
            f"{phase.value if phase else 'outside the campaign'}",
            code="wrong_phase",
        )
    return wanted


@dataclass(frozen=True)
class Filing:
    """A kind of filing: the phase it belongs to, what a refusal calls it, and the
    event that records it (the filing's own fields under their names, with whose it
    is, in which campaign and phase, and when)."""

    phase: PhaseCode
    what_zh: str
    what_en: str
    recorded_as: type[ImplementationPlanFiled | SelfAnalysisFiled | SelfInspectionReportFiled]


FILINGS: dict[type[SelfInspectionCommand], Filing] = {
    FileImplementationPlan: Filing(
        PhaseCode.mobilisation, "实施方案", "the plan", ImplementationPlanFiled
    ),
    FileSelfAnalysis: Filing(PhaseCode.finding, "剖析材料", "self-analysis", SelfAnalysisFiled),
    FileSelfInspectionReport: Filing(
        PhaseCode.finding, "自查报告", "the self-inspection report", SelfInspectionReportFiled
    ),
}
# What every filing carries (the event records it as whose, which campaign, when).
_SHARED = {f.name for f in fields(AgencyFiling)}


def _check(command: SelfInspectionCommand, state: SelfInspectionState) -> None:
    """Each filing once (each analysis once), and what it must say."""
    if isinstance(command, FileImplementationPlan):
        if state.plan_id:
            raise Conflict(
                "本机关已报送实施方案", "this agency has already filed its plan", code="duplicate"
            )
        if not command.methods.strip() or not command.goals.strip():
            raise Invalid(
                "实施方案需写明方法步骤和目标要求",
                "the plan states its methods and goals",
                field="methods" if not command.methods.strip() else "goals",
            )
    elif isinstance(command, FileSelfAnalysis):
        if command.analysis_id in state.analysis_ids:
            raise Conflict("该剖析材料已报送", "this self-analysis was already filed")
        not_blank(command.findings, "findings", "剖析材料", "findings")
    else:
        if state.report_id:
            raise Conflict(
                "本机关已报送自查报告",
                "this agency has already filed its self-inspection report",
                code="duplicate",
            )
        not_blank(command.summary, "summary", "自查报告", "summary")
        for index, problem in enumerate(command.problems):
            check_kind(problem.category, problem.kind, f"problems.{index}.kind")
            if problem.agency_id != command.agency_id:
                raise Invalid(
                    "自查报告只能列出本机关的问题",
                    "a self-inspection report lists the agency's own problems",
                    field=f"problems.{index}.agency_id",
                )


class SelfInspectionDecider:
    events: ClassVar[tuple[type[DomainEvent], ...]] = tuple(
        filing.recorded_as for filing in FILINGS.values()
    )

    def initial_state(self) -> SelfInspectionState:
        return SelfInspectionState()

    def decide(
        self, command: SelfInspectionCommand, state: SelfInspectionState
    ) -> Sequence[DomainEvent]:
        _staff_of(command.actor, command.agency_id, command.agency_region_code)
        filing = FILINGS[type(command)]
        phase = _in_phase(command.phase, filing.phase, filing.what_zh, filing.what_en)
        _check(command, state)
        own = {f.name: getattr(command, f.name) for f in fields(command) if f.name not in _SHARED}
        return [
            filing.recorded_as(
                agency_id=command.agency_id,
                campaign_id=command.campaign_id,
                phase=phase,
                filed_at=command.at,
                **own,
            )
        ]

    def evolve(self, state: SelfInspectionState, event: DomainEvent) -> SelfInspectionState:
        match event:
            case ImplementationPlanFiled(agency_id=agency_id, plan_id=plan_id):
                return replace(state, agency_id=agency_id, plan_id=plan_id)
            case SelfAnalysisFiled(agency_id=agency_id, analysis_id=analysis_id):
                analyses = state.analysis_ids | {analysis_id}
                return replace(state, agency_id=agency_id, analysis_ids=analyses)
            case SelfInspectionReportFiled(agency_id=agency_id, report_id=report_id):
                problem_ids = tuple(p.problem_id for p in event.problems)
                return replace(
                    state,
                    agency_id=agency_id,
                    report_id=report_id,
                    problem_ids=problem_ids,
                    report=event,
                )
        return state
