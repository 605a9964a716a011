"""The tally, algorithm ``tally-v1``: pure, so anyone can recompute it from the events.

- A ballot is valid when it was cast and not spoiled; a spoiled ballot counts as
  spoiled whether or not it had been cast; uncast = issued - cast - spoiled-uncast.
  Counts come from the token events (issued, spent, spoiled); the figures from the
  valid contents, which the close publishes as one batch (``BallotBoxOpened``).
- Per agency: counts of each rating among valid ballots, satisfaction rate
  (satisfied + basically satisfied) / valid, dissatisfaction rate dissatisfied / valid
  (0 when there is no valid ballot), problems raised on valid ballots.
- Ranking: satisfaction rate descending, then dissatisfaction rate ascending;
  equal pairs share a rank (1, 2, 2, 4); the list is ordered by rank then agency id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shared.events.evaluation import (
    AgencyResult,
    BallotCast,
    BallotContent,
    EvaluationTallied,
    Rating,
)

TALLY_ALGORITHM = "tally-v1"

# The close records the ballots' four counts; a tally, its record and its views add the
# valid ballots, and a recount compares them in this order.
BALLOT_COUNTS = ("ballots_issued", "ballots_cast", "ballots_spoiled", "ballots_uncast")
TALLY_COUNTS = (*BALLOT_COUNTS, "valid_ballots")


@dataclass(frozen=True)
class Tally:
    ballots_issued: int
    ballots_cast: int
    ballots_spoiled: int
    ballots_uncast: int
    valid_ballots: int
    results: tuple[AgencyResult, ...]


def counts(
    source: Tally | EvaluationTallied, names: tuple[str, ...] = TALLY_COUNTS
) -> dict[str, Any]:
    """The counts ``names`` as ``source`` has them, by name."""
    return {name: getattr(source, name) for name in names}


def legacy_valid(casts: Iterable[BallotCast], spoiled: Collection[str]) -> list[BallotContent]:
    """The valid contents of meetings recorded before the ballot box (``BallotCast``)."""
    return [
        BallotContent(ratings=c.ratings, comments=c.comments, problems=c.problems)
        for c in casts
        if c.token_hash not in spoiled
    ]


def tally(
    agency_ids: Sequence[str],
    issued: int,
    cast_hashes: Collection[str],
    spoiled_hashes: Collection[str],
    valid: Sequence[BallotContent],
) -> Tally:
    spoiled_uncast = len(set(spoiled_hashes) - set(cast_hashes))
    unranked = [_agency_result(agency, valid) for agency in agency_ids]
    return Tally(
        ballots_issued=issued,
        ballots_cast=len(cast_hashes),
        ballots_spoiled=len(spoiled_hashes),
        ballots_uncast=issued - len(cast_hashes) - spoiled_uncast,
        valid_ballots=len(valid),
        results=_ranked(unranked),
    )


def _agency_result(agency_id: str, valid: Sequence[BallotContent]) -> AgencyResult:
    counts = dict.fromkeys(Rating, 0)
    rated = 0
    for ballot in valid:
        for rating in ballot.ratings:
            if rating.agency_id == agency_id:
                counts[rating.rating] += 1
                rated += 1
    problems = sum(1 for b in valid for p in b.problems if p.agency_id == agency_id)
    positive = counts[Rating.satisfied] + counts[Rating.basically_satisfied]
    return AgencyResult(
        agency_id=agency_id,
        satisfied=counts[Rating.satisfied],
        basically_satisfied=counts[Rating.basically_satisfied],
        dissatisfied=counts[Rating.dissatisfied],
        valid=rated,
        satisfaction_rate=positive / rated if rated else 0.0,
        dissatisfaction_rate=counts[Rating.dissatisfied] / rated if rated else 0.0,
        rank=0,
        problems_raised=problems,
    )


def _ranked(results: Sequence[AgencyResult]) -> tuple[AgencyResult, ...]:
    def key(r: AgencyResult) -> tuple[float, float]:
        return (-r.satisfaction_rate, r.dissatisfaction_rate)

    ordered = sorted(results, key=lambda r: (*key(r), r.agency_id))
    ranked: list[AgencyResult] = []
    for index, result in enumerate(ordered):
        tied = index > 0 and key(ordered[index - 1]) == key(result)
        rank = ranked[-1].rank if tied else index + 1
        ranked.append(result.model_copy(update={"rank": rank}))
    return tuple(ranked)
