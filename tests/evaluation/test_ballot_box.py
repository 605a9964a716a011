"""The ballot box in the decider: spending apart from content, one shuffled batch at
close, a box that must match the spent tokens, results withheld below the campaign's
minimum, old ``BallotCast`` topics still replaying, and recorded readings."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

import pytest

from services.evaluation.domain.audit import recompute_tally
from services.evaluation.domain.ballots import open_box
from services.evaluation.domain.commands import (
    PublishResults,
    ReadBallotComments,
    ReadRepresentatives,
    SpoilBallot,
)
from services.evaluation.domain.tokens import hash_token
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AgencyRating,
    BallotBoxOpened,
    BallotCast,
    BallotChannel,
    BallotCommentsRead,
    BallotSealed,
    BallotTokenSpent,
    EvaluationTallied,
    LookBackOpened,
    Rating,
    RepresentativesSheetRead,
    ResultsFedBack,
    ResultsPublished,
)
from shared.testing import given
from tests.evaluation.factories import AT
from tests.evaluation.test_meeting_decider import (
    CLOSE,
    B,
    D,
    S,
    cast,
    closing,
    decider,
    drawn_history,
    fake_unseal,
    open_history,
    run,
    state_of,
    token,
)

T = TypeVar("T")


def of_type(history: list[DomainEvent], kind: type[T]) -> list[T]:
    return [e for e in history if isinstance(e, kind)]


def test_casting_spends_the_token_and_seals_the_content_in_separate_events() -> None:
    events = run(open_history(), cast(0, S, D, comment="好"))[-2:]
    spent, sealed = events
    assert isinstance(spent, BallotTokenSpent) and isinstance(sealed, BallotSealed)
    assert spent.token_hash == hash_token(token(0))
    assert "ratings" not in spent.model_dump() and "好" not in spent.model_dump_json()
    assert set(sealed.model_dump()) == {"meeting_id", "sealed"}


def test_a_ballot_without_sealed_content_is_refused() -> None:
    unsealed = replace(cast(0), sealed="")
    given(decider, *open_history()).when(unsealed).then_refused(Invalid, "not sealed")


def test_the_batch_holds_the_valid_contents_with_no_token_and_no_time() -> None:
    history = run(
        open_history(attendees=4),
        cast(0, S, D),
        cast(1, D, D),
        cast(2, B, S),
        SpoilBallot(token=token(1), reason="涂改", at=AT),
        CLOSE,
    )
    (box,) = of_type(history, BallotBoxOpened)
    assert (box.sealed_records, box.spoiled_excluded, len(box.ballots)) == (3, 1, 2)
    assert sorted(b.ratings[0].rating for b in box.ballots) == sorted([S, B])
    text = box.model_dump_json()
    assert not any(hash_token(token(i)) in text for i in range(4))
    assert all(set(b.model_dump()) == {"ratings", "comments", "problems"} for b in box.ballots)
    assert state_of(history).box == ()


def test_the_batch_order_does_not_follow_the_casting_order() -> None:
    ballots = [(S, D), (D, D), (B, S), (S, S), (D, B)]
    forward = run(
        open_history(attendees=5), *[cast(i, a, b) for i, (a, b) in enumerate(ballots)], CLOSE
    )
    backward = run(
        open_history(attendees=5),
        *[cast(4 - i, a, b) for i, (a, b) in enumerate(reversed(ballots))],
        CLOSE,
    )
    assert of_type(forward, BallotBoxOpened)[0].ballots == (
        of_type(backward, BallotBoxOpened)[0].ballots
    )
    reseeded = run(
        open_history(attendees=5),
        *[cast(i, a, b) for i, (a, b) in enumerate(ballots)],
        closing(seed="a1" * 32),
    )
    one, other = of_type(forward, BallotBoxOpened)[0], of_type(reseeded, BallotBoxOpened)[0]
    assert one.ballots != other.ballots  # the seed decides the order ...
    assert sorted(one.ballots, key=repr) == sorted(other.ballots, key=repr)  # ... not the content


def test_a_box_that_does_not_match_the_spent_tokens_is_refused() -> None:
    history = run(open_history(attendees=3), cast(0), cast(1))
    state = state_of(history)
    opened = open_box(state.box, fake_unseal)
    complete = closing()(state)
    for forged in (opened[:1], (opened[0], opened[0]), (opened[0], opened[0], opened[1])):
        command = replace(complete, opened_box=forged)
        given(decider, *history).when(command).then_refused(Conflict, "does not match")
    assert of_type(run(history, complete), BallotBoxOpened)


def test_a_short_shuffle_seed_is_refused() -> None:
    history = run(open_history(), cast(0))
    command = closing(seed="ab")(state_of(history))
    given(decider, *history).when(command).then_refused(Invalid, "seed")


def test_results_below_the_minimum_are_withheld_without_figures() -> None:
    history = run(
        open_history(attendees=4), cast(0, S, D), cast(1, D, D), cast(2, S, S), closing(minimum=4)
    )
    tallied = of_type(history, EvaluationTallied)[0]
    assert tallied.valid_ballots == 3 and tallied.min_valid_ballots == 4
    for fed in of_type(history, ResultsFedBack):
        assert fed.withheld and fed.result.valid == 0 and fed.result.satisfied == 0
    published = of_type(run(history, PublishResults(at=AT)), ResultsPublished)[0]
    assert published.results == () and published.withheld == ("ag-a", "ag-b")


def test_results_at_the_minimum_are_published() -> None:
    history = run(
        open_history(attendees=3),
        cast(0, S, D),
        cast(1, D, D),
        cast(2, S, S),
        closing(minimum=3),
        PublishResults(at=AT),
    )
    assert not any(f.withheld for f in of_type(history, ResultsFedBack))
    published = of_type(history, ResultsPublished)[0]
    assert published.withheld == () and {r.agency_id for r in published.results} == {
        "ag-a",
        "ag-b",
    }
    assert all(r.valid == 3 for r in published.results)


def test_below_the_minimum_the_rate_neither_opens_nor_travels_in_a_look_back() -> None:
    # ag-b: two of three dissatisfied, over the 30 % threshold, but three votes only.
    votes = (cast(0, S, D), cast(1, D, D), cast(2, S, S))
    withheld = run(open_history(attendees=4), *votes, closing(rate=0.3, minimum=4))
    assert of_type(withheld, LookBackOpened) == []
    counted = run(open_history(attendees=3), *votes, closing(rate=0.3, minimum=3))
    opened = {lb.agency_id: lb for lb in of_type(counted, LookBackOpened)}
    assert opened["ag-b"].reasons == ("dissatisfaction_rate",)
    assert opened["ag-b"].dissatisfaction_rate > 0.6 and not opened["ag-b"].rate_withheld


def test_below_the_minimum_problems_raised_still_open_a_look_back_without_the_rate() -> None:
    votes = (cast(0, S, D), cast(1, D, D), cast(2, S, S))
    history = run(open_history(attendees=4), *votes, closing(rate=0.3, problems=0, minimum=4))
    opened = of_type(history, LookBackOpened)
    assert opened and all(lb.reasons == ("problems_raised",) for lb in opened)
    assert all(lb.rate_withheld and lb.dissatisfaction_rate == 0.0 for lb in opened)


def legacy_cast(i: int, a: Rating, b: Rating) -> BallotCast:
    return BallotCast(
        meeting_id="meet-t1",
        token_hash=hash_token(token(i)),
        channel=BallotChannel.phone,
        ratings=(
            AgencyRating(agency_id="ag-a", rating=a, comment="旧意见"),
            AgencyRating(agency_id="ag-b", rating=b),
        ),
        cast_at=AT,
    )


def test_an_old_topic_with_ballot_cast_events_still_replays_and_recounts() -> None:
    history = [*open_history(attendees=4), legacy_cast(0, S, D), legacy_cast(1, D, D)]
    given(decider, *history).when(cast(0)).then_refused(Conflict, "already")
    history = run(history, cast(2, S, S), CLOSE)
    tallied = of_type(history, EvaluationTallied)[0]
    assert (tallied.ballots_cast, tallied.valid_ballots) == (3, 3)
    assert recompute_tally(history).matches
    # an old meeting closed before the ballot box: no batch, the casts are the record
    old = [e for e in history if not isinstance(e, BallotBoxOpened | BallotSealed)]
    old = [e for e in old if not isinstance(e, BallotTokenSpent)]
    recount = recompute_tally(old)
    assert recount.recomputed.valid_ballots == 2 and not recount.matches


def reading(
    kind: type[ReadRepresentatives] | type[ReadBallotComments], purpose: str = "核对名单"
) -> ReadRepresentatives | ReadBallotComments:
    return kind(reader="legal_office:o1@360100", office_id="office-360100", purpose=purpose, at=AT)


def test_reading_the_sheet_is_recorded_with_its_purpose() -> None:
    (event,) = decider.decide(reading(ReadRepresentatives), state_of(drawn_history()))
    assert isinstance(event, RepresentativesSheetRead)
    assert (event.reader, event.office_id, event.purpose) == (
        "legal_office:o1@360100",
        "office-360100",
        "核对名单",
    )


@pytest.mark.parametrize("purpose", ["", " ", "x"])
def test_reading_without_a_purpose_is_refused(purpose: str) -> None:
    given(decider, *drawn_history()).when(reading(ReadRepresentatives, purpose)).then_refused(
        Invalid, "purpose"
    )


def test_comments_are_read_only_after_the_count_and_each_reading_is_recorded() -> None:
    voting = run(open_history(), cast(0, comment="态度好"))
    given(decider, *voting).when(reading(ReadBallotComments)).then_refused(Conflict, "after")
    (event,) = decider.decide(reading(ReadBallotComments), state_of(run(voting, CLOSE)))
    assert isinstance(event, BallotCommentsRead) and event.purpose == "核对名单"
