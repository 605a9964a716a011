"""Recompute a meeting's tally from its events alone and compare it with the
recorded ``EvaluationTallied``: counts from the token events (issued, spent,
spoiled), figures from the published batch (``BallotBoxOpened``), or from the
former ``BallotCast`` events of meetings recorded before the ballot box."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.evaluation.domain.tally import Tally, legacy_valid, tally
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    BallotBoxOpened,
    BallotCast,
    BallotContent,
    BallotsIssued,
    BallotSpoiled,
    BallotTokenSpent,
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
    spent: set[str] = set()
    legacy: list[BallotCast] = []
    spoiled: set[str] = set()
    batch: tuple[BallotContent, ...] = ()
    recorded: EvaluationTallied | None = None
    for event in events:
        match event:
            case EvaluationMeetingScheduled():
                agencies = tuple(a.agency_id for a in event.agencies)
            case BallotsIssued():
                issued = len(event.token_hashes)
            case BallotTokenSpent():
                spent.add(event.token_hash)
            case BallotCast():
                spent.add(event.token_hash)
                legacy.append(event)
            case BallotSpoiled():
                spoiled.add(event.token_hash)
            case BallotBoxOpened():
                batch = event.ballots
            case EvaluationTallied():
                recorded = event
    # A box opened under this code already holds the former casts' valid contents.
    valid = list(batch) if batch or not legacy else legacy_valid(legacy, spoiled)
    recomputed = tally(agencies, issued, spent, spoiled, valid)
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
