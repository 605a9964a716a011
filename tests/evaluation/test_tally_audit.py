"""The tally recomputed from events alone, and a tampered record detected."""

from __future__ import annotations

from services.evaluation.domain.audit import recompute_tally
from services.evaluation.domain.commands import CloseMeeting
from shared.events.base import DomainEvent
from shared.events.evaluation import EvaluationTallied
from tests.evaluation.factories import AT
from tests.evaluation.test_meeting_decider import D, S, cast, open_history, run


def closed_history() -> list[DomainEvent]:
    close = CloseMeeting(lookback_dissatisfaction_rate=0.5, lookback_problems_raised=9, at=AT)
    return run(open_history(attendees=4), cast(0, S, D), cast(1, D, D), cast(2, S, S), close)


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
