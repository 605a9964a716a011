"""Problems, self-inspection filings and receipt codes."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from services.intake.domain.commands import (
    FileImplementationPlan,
    FileSelfAnalysis,
    FileSelfInspectionReport,
    RecordProblem,
)
from services.intake.domain.problem import ProblemDecider
from services.intake.domain.receipt import ALPHABET, is_well_formed, new_receipt_code, normalise
from services.intake.domain.self_inspection import SelfInspectionDecider
from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.directory import PhaseCode
from shared.events.intake import (
    FoundProblem,
    ImplementationPlanFiled,
    ProblemFound,
    ProblemSource,
    SelfAnalysisFiled,
    SelfInspectionReportFiled,
)
from shared.testing import given
from shared.vocabulary import ProblemCategory, Severity

AT = datetime(2016, 8, 1, tzinfo=UTC)
AGENCY = "ag-360102-market"
staff = Actor(subject="s", role=Role.agency_staff, organisation=AGENCY, region_code="360102")
problem = FoundProblem(
    problem_id="prb-9",
    agency_id=AGENCY,
    region_code="360102",
    category=ProblemCategory.oversight,
    kind="fine_quota",
    severity=Severity.high,
    summary="下达罚没指标",
)


def test_problem_from_tip_is_recorded_once() -> None:
    command = RecordProblem(problem, "c1", ("tip-1", "tip-2"), PhaseCode.finding, AT)
    found = ProblemFound(
        **problem.model_dump(),
        campaign_id="c1",
        source=ProblemSource.tip,
        source_tip_ids=("tip-1", "tip-2"),
        phase=PhaseCode.finding,
        found_at=AT,
    )
    given(ProblemDecider()).when(command).then(found)
    given(ProblemDecider(), found).when(command).then_refused(Conflict, "already recorded")


def test_problem_from_report_has_source_self_inspection() -> None:
    command = RecordProblem(problem, "c1", (), PhaseCode.finding, AT, source_report_id="rep-1")
    (event,) = given(ProblemDecider()).when(command).decided()
    assert isinstance(event, ProblemFound)
    assert event.source is ProblemSource.self_inspection and event.source_report_id == "rep-1"


# What each of the agency's filings carries.
FILING: dict[str, Any] = {
    "actor": staff,
    "agency_id": AGENCY,
    "agency_region_code": "360102",
    "campaign_id": "c1",
    "at": AT,
}


def plan(
    phase: PhaseCode | None = PhaseCode.mobilisation, actor: Actor = staff
) -> FileImplementationPlan:
    return FileImplementationPlan(
        **FILING | {"actor": actor},
        plan_id="plan-1",
        targeted_categories=(ProblemCategory.procedural,),
        methods="走访座谈",
        goals="整改到位",
        phase=phase,
    )


# What each of the agency's filings records.
FILED: dict[str, Any] = {"agency_id": AGENCY, "campaign_id": "c1", "filed_at": AT}

plan_filed = ImplementationPlanFiled(
    **FILED,
    plan_id="plan-1",
    targeted_categories=(ProblemCategory.procedural,),
    methods="走访座谈",
    goals="整改到位",
    phase=PhaseCode.mobilisation,
)


def analysis(analysis_id: str = "an-1") -> FileSelfAnalysis:
    return FileSelfAnalysis(
        **FILING,
        analysis_id=analysis_id,
        unit="执法一科",
        categories=(ProblemCategory.civility,),
        findings="门难进",
        phase=PhaseCode.finding,
    )


def report(
    *problems: FoundProblem, phase: PhaseCode | None = PhaseCode.finding
) -> FileSelfInspectionReport:
    return FileSelfInspectionReport(
        **FILING,
        report_id="rep-1",
        summary="自查发现一个问题",
        problems=problems,
        phase=phase,
    )


def test_plan_filed_in_mobilisation_once() -> None:
    given(SelfInspectionDecider()).when(plan()).then(plan_filed)
    given(SelfInspectionDecider(), plan_filed).when(plan()).then_refused(Conflict, "already filed")


def test_plan_outside_phase_one_is_refused() -> None:
    given(SelfInspectionDecider()).when(plan(PhaseCode.finding)).then_refused(
        Conflict, "mobilisation"
    )
    given(SelfInspectionDecider()).when(plan(None)).then_refused(Conflict, "outside the campaign")


def test_plan_by_another_agency_or_role_is_forbidden() -> None:
    stranger = staff.model_copy(update={"organisation": "ag-other"})
    officer = staff.model_copy(update={"role": Role.intake_officer})
    given(SelfInspectionDecider()).when(plan(actor=stranger)).then_refused(Forbidden, "own agency")
    given(SelfInspectionDecider()).when(plan(actor=officer)).then_refused(Forbidden)


def test_plan_needs_methods() -> None:
    command = plan()
    empty = FileImplementationPlan(**{**command.__dict__, "methods": " "})
    refusal = given(SelfInspectionDecider()).when(empty).then_refused(Invalid)
    assert refusal.field == "methods"


def test_self_analyses_are_filed_each_once() -> None:
    filed = SelfAnalysisFiled(
        **FILED,
        analysis_id="an-1",
        unit="执法一科",
        categories=(ProblemCategory.civility,),
        findings="门难进",
        phase=PhaseCode.finding,
    )
    given(SelfInspectionDecider()).when(analysis()).then(filed)
    given(SelfInspectionDecider(), filed).when(analysis()).then_refused(Conflict)
    assert given(SelfInspectionDecider(), filed).when(analysis("an-2")).decided()


def test_report_lists_problems_once_in_phase_two() -> None:
    filed = SelfInspectionReportFiled(
        **FILED,
        report_id="rep-1",
        summary="自查发现一个问题",
        problems=(problem,),
        phase=PhaseCode.finding,
    )
    given(SelfInspectionDecider()).when(report(problem)).then(filed)
    given(SelfInspectionDecider(), filed).when(report(problem)).then_refused(Conflict)
    given(SelfInspectionDecider()).when(report(problem, phase=PhaseCode.summary)).then_refused(
        Conflict, "finding"
    )


def test_report_refuses_other_agencies_problems_and_wrong_kinds() -> None:
    foreign = problem.model_copy(update={"agency_id": "ag-x"})
    wrong_kind = problem.model_copy(update={"kind": "extortion"})
    assert given(SelfInspectionDecider()).when(report(foreign)).then_refused(Invalid).field == (
        "problems.0.agency_id"
    )
    assert given(SelfInspectionDecider()).when(report(wrong_kind)).then_refused(Invalid).field == (
        "problems.0.kind"
    )


def test_receipt_codes_are_readable_and_checked() -> None:
    rng = random.Random(7)
    code = new_receipt_code(rng.randrange)
    assert len(code) == 16 and code.count("-") == 3
    assert not set(normalise(code)) - set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)
    assert is_well_formed(code) and is_well_formed(code.lower().replace("-", " "))
    compact = normalise(code)
    for position in range(len(compact)):
        for symbol in ALPHABET:
            if symbol != compact[position]:
                typo = compact[:position] + symbol + compact[position + 1 :]
                assert not is_well_formed(typo)
    for position in range(len(compact) - 2):
        if compact[position] != compact[position + 1]:
            swapped = (
                compact[:position]
                + compact[position + 1]
                + compact[position]
                + compact[position + 2 :]
            )
            assert not is_well_formed(swapped)
