"""A problem found: recorded once, from a substantiated tip or a self-inspection report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from shared.errors import Conflict
from shared.events.base import DomainEvent
from shared.events.intake import ProblemFound, ProblemSource

from .commands import RecordProblem


@dataclass(frozen=True)
class ProblemState:
    found: ProblemFound | None = None


class ProblemDecider:
    events: ClassVar[tuple[type[DomainEvent], ...]] = (ProblemFound,)

    def initial_state(self) -> ProblemState:
        return ProblemState()

    def decide(self, command: RecordProblem, state: ProblemState) -> Sequence[DomainEvent]:
        problem = command.problem
        if state.found is not None:
            raise Conflict(
                f"问题 {problem.problem_id} 已经记录",
                f"problem {problem.problem_id} was already recorded",
                code="duplicate",
            )
        source = ProblemSource.tip if command.source_tip_ids else ProblemSource.self_inspection
        return [
            ProblemFound(
                **problem.model_dump(),
                campaign_id=command.campaign_id,
                source=source,
                source_tip_ids=command.source_tip_ids,
                phase=command.phase,
                found_at=command.at,
                source_report_id=command.source_report_id,
            )
        ]

    def evolve(self, state: ProblemState, event: DomainEvent) -> ProblemState:
        if isinstance(event, ProblemFound):
            return ProblemState(found=event)
        return state
