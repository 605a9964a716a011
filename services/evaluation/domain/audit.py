"""Recompute a meeting's tally from its events alone and compare it with the
recorded ``EvaluationTallied``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.evaluation.domain.tally import Tally, tally
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    BallotCast,
    BallotsIssued,
    BallotSpoiled,
    EvaluationMeetingScheduled,
    EvaluationTallied,
)


@dataclass(frozen=True)
class TallyCheck:
    recomputed: Tally
    recorded: EvaluationTallied | None
    first_difference: str | None

    @property
    def matches(self) -> bool:
        return self.recorded is not None and self.first_difference is None


def recompute_tally(events: Iterable[DomainEvent]) -> TallyCheck:
    agencies: tuple[str, ...] = ()
    issued = 0
    casts: list[BallotCast] = []
    spoiled: list[BallotSpoiled] = []
    recorded: EvaluationTallied | None = None
    for event in events:
        match event:
            case EvaluationMeetingScheduled():
                agencies = tuple(a.agency_id for a in event.agencies)
            case BallotsIssued():
                issued = len(event.token_hashes)
            case BallotCast():
                casts.append(event)
            case BallotSpoiled():
                spoiled.append(event)
            case EvaluationTallied():
                recorded = event
    recomputed = tally(agencies, issued, casts, spoiled)
    if recorded is None:
        return TallyCheck(recomputed, None, "no EvaluationTallied event recorded")
    return TallyCheck(recomputed, recorded, _first_difference(recorded, recomputed))


def _first_difference(recorded: EvaluationTallied, recomputed: Tally) -> str | None:
    for name in (
        "ballots_issued",
        "ballots_cast",
        "ballots_spoiled",
        "ballots_uncast",
        "valid_ballots",
    ):
        want, got = getattr(recorded, name), getattr(recomputed, name)
        if want != got:
            return f"{name}: recorded {want}, recomputed {got}"
    for index, (want, got) in enumerate(zip(recorded.results, recomputed.results, strict=False)):
        if want != got:
            return f"results[{index}]: recorded {want.model_dump()}, recomputed {got.model_dump()}"
    if len(recorded.results) != len(recomputed.results):
        return f"results: recorded {len(recorded.results)}, recomputed {len(recomputed.results)}"
    return None
