"""Problems found: each recorded exactly once (``ProblemFound``) from a substantiated
tip or a self-inspection report, and read by staff and by the agency at fault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.access_policy import Resource, Target, withheld_fields, without_fields
from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden
from shared.events.intake import FoundProblem, ProblemFound
from shared.eventstore import CommandContext
from shared.paging import window
from shared.vocabulary import ProblemCategory, Severity

from ..domain.access import require_region
from ..domain.commands import RecordProblem
from ..domain.self_inspection import SelfInspectionState
from ..domain.tip import TipState
from ..store import PROBLEM, SELF_INSPECTION, TIP
from .app import IntakeApp
from .ids import new_correlation_id
from .tips import READER_ROLES


@dataclass(frozen=True)
class ProblemDraft:
    """A problem as an officer or an agency states it; ``agency_id`` "" is the tip's."""

    category: ProblemCategory
    kind: str
    severity: Severity
    summary: str
    agency_id: str = ""

    def found(self, problem_id: str, agency_id: str, region_code: str) -> FoundProblem:
        """The problem as found at ``agency_id`` (of ``region_code``)."""
        return FoundProblem(
            problem_id=problem_id,
            agency_id=agency_id,
            region_code=region_code,
            category=self.category,
            kind=self.kind,
            severity=self.severity,
            summary=self.summary,
        )


async def record_tip_problems(app: IntakeApp, tip_id: str, correlation_id: str = "") -> int:
    """One ``ProblemFound`` per problem of a substantiated tip, each exactly once."""
    state: TipState = app.store.state(TIP, tip_id)
    found = state.substantiation
    if found is None:
        return 0
    return await _record_each(
        app,
        found.problems,
        tip_id,
        correlation_id,
        campaign_id=state.campaign_id,
        source_tip_ids=found.backing_tip_ids,
        phase=found.phase,
        at=found.substantiated_at,
    )


async def record_report_problems(
    app: IntakeApp, aggregate_id: str, correlation_id: str = ""
) -> int:
    """One ``ProblemFound`` per problem of a self-inspection report, each exactly once."""
    state: SelfInspectionState = app.store.state(SELF_INSPECTION, aggregate_id)
    report = state.report
    if report is None:
        return 0
    return await _record_each(
        app,
        report.problems,
        aggregate_id,
        correlation_id,
        campaign_id=report.campaign_id,
        source_tip_ids=(),
        phase=report.phase,
        at=report.filed_at,
        source_report_id=report.report_id,
    )


async def _record_each(
    app: IntakeApp,
    problems: tuple[FoundProblem, ...],
    cause: str,
    correlation_id: str,
    **source: Any,
) -> int:
    """Record each of ``problems`` found by ``cause`` (``source``: the rest of each
    ``RecordProblem``); how many were new."""
    recorded = 0
    for problem in problems:
        command = RecordProblem(problem=problem, **source)
        recorded += await _record(app, command, cause, correlation_id)
    return recorded


async def _record(app: IntakeApp, command: RecordProblem, cause: str, correlation_id: str) -> int:
    problem_id = command.problem.problem_id
    if app.store.get(PROBLEM, problem_id) is not None:
        return 0
    context = CommandContext(
        actor="system:intake:",
        campaign_id=command.campaign_id,
        region_code=command.problem.region_code,
        correlation_id=correlation_id or new_correlation_id(),
        causation_id=cause,
    )
    try:
        await app.store.execute(PROBLEM, problem_id, command, context)
    except Conflict:
        return 0
    return 1


async def reconcile_problems(app: IntakeApp) -> int:
    """Record problems whose ``ProblemFound`` is missing (a crash between the tip's
    event and its problems' events): the substantiation is the outbox. An aggregate
    leaves the work list once all its problems are recorded."""
    recorded = 0
    for tip_id in app.store.tips_with_problems.members():
        recorded += await record_tip_problems(app, tip_id)
        app.store.tips_with_problems.discard(tip_id)
    for aggregate_id in app.store.reports_with_problems.members():
        recorded += await record_report_problems(app, aggregate_id)
        app.store.reports_with_problems.discard(aggregate_id)
    return recorded


def as_read_by(actor: Actor, found: ProblemFound) -> dict[str, object]:
    """A problem without the fields the policy withholds from this reader: the agency
    found at fault does not learn which tips were behind it."""
    withheld = withheld_fields(actor, Resource.problem, Target(found.region_code, found.agency_id))
    return without_fields(found.model_dump(mode="json"), withheld)


async def list_problems(
    app: IntakeApp,
    actor: Actor,
    *,
    agency_id: str | None = None,
    campaign_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[dict[str, object]]]:
    """The problems ``actor`` reads (staff: their region's; agency staff: their own
    agency's), in the order found: how many, and one page as read by ``actor``."""
    actor.require(*READER_ROLES, Role.agency_staff)

    def readable(found: ProblemFound | None) -> bool:
        if found is None or (agency_id and found.agency_id != agency_id):
            return False
        if campaign_id and found.campaign_id != campaign_id:
            return False
        if actor.role is Role.agency_staff and found.agency_id != actor.organisation:
            return False
        try:
            require_region(actor, found.region_code)
        except Forbidden:
            return False
        return True

    total, page = window(
        (state.found for _, state in app.store.all(PROBLEM) if readable(state.found)),
        key=lambda found: (found.found_at, found.problem_id),
        offset=offset,
        limit=limit,
    )
    return total, [as_read_by(actor, found) for found in page]
