"""The tally recomputed from events alone, and a tampered record detected."""

from __future__ import annotations

from services.evaluation.domain.audit import recompute_tally
from shared.events.base import DomainEvent
from shared.events.evaluation import BallotBoxOpened, BallotSealed, EvaluationTallied
from tests.evaluation.test_meeting_decider import D, S, cast, closing, open_history, run


def closed_history() -> list[DomainEvent]:
    close = closing(rate=0.5, problems=9)
    return run(open_history(attendees=4), cast(0, S, D), cast(1, D, D), cast(2, S, S), close)


def test_the_tally_needs_no_sealed_record() -> None:
    """What anyone can read after the box key is shredded is enough to recount."""
    readable = [e for e in closed_history() if not isinstance(e, BallotSealed)]
    assert recompute_tally(readable).matches


def test_a_tampered_batch_is_detected() -> None:
    history = closed_history()
    box = next(e for e in history if isinstance(e, BallotBoxOpened))
    forged = box.model_copy(update={"ballots": box.ballots[1:]})
    check = recompute_tally([forged if e is box else e for e in history])
    assert not check.matches and check.first_difference == "valid_ballots: recorded 3, recomputed 2"


def test_recomputed_tally_equals_the_recorded_one() -> None:
    check = recompute_tally(closed_history())
    assert check.matches and check.first_difference is None
    assert check.recomputed.valid_ballots == 3 and check.recomputed.ballots_uncast == 1


def test_a_tampered_record_is_named() -> None:
    history = closed_history()
    tallied = next(e for e in history if isinstance(e, EvaluationTallied))
    forged_result = tallied.results[0].model_copy(update={"dissatisfied": 0})
    forged = tallied.model_copy(update={"results": (forged_result, *tallied.results[1:])})
    check = recompute_tally([forged if e is tallied else e for e in history])
    assert not check.matches
    assert check.first_difference is not None and check.first_difference.startswith("results[0]")
    forged = tallied.model_copy(update={"valid_ballots": 4})
    check = recompute_tally([forged if e is tallied else e for e in history])
    assert check.first_difference == "valid_ballots: recorded 4, recomputed 3"
