"""The meeting decider: given events, when a command, then events or a refusal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from services.evaluation.domain.ballots import open_box
from services.evaluation.domain.commands import (
    CastBallot,
    CloseMeeting,
    CompleteLookBack,
    DrawRepresentatives,
    FreezePool,
    IssueBallots,
    PublishResults,
    RecordAttendance,
    ReplaceRepresentative,
    SpoilBallot,
)
from services.evaluation.domain.meeting import MeetingDecider, MeetingState
from services.evaluation.domain.tokens import hash_token
from shared.decider import fold
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AgencyRating,
    BallotChannel,
    BallotContent,
    BallotTokenSpent,
    BoxedBallot,
    EvaluationMeetingScheduled,
    EvaluationTallied,
    LookBackOpened,
    PoolEntry,
    ProblemRaised,
    RaisedOnBallot,
    Rating,
    RepresentativeReplaced,
    ResultsFedBack,
)
from shared.testing import given
from tests.evaluation.factories import AT, schedule

decider = MeetingDecider()
S, B, D = Rating.satisfied, Rating.basically_satisfied, Rating.dissatisfied


def run(history: list[DomainEvent], *commands: object) -> list[DomainEvent]:
    """``commands`` may be functions of the state (a close needs the box as it stands)."""
    for command in commands:
        state = fold(decider, history)
        decided = command(state) if callable(command) else command
        history = history + list(decider.decide(decided, state))  # type: ignore[arg-type]
    return history


# The port's stand-in: the API seals with the key store; a readable prefix here.
def fake_seal(boxed: BoxedBallot) -> str:
    return "box:" + boxed.model_dump_json()


def fake_unseal(sealed: str) -> str:
    assert sealed.startswith("box:")
    return sealed.removeprefix("box:")


SEED = "5e" * 32


def candidates(n: int = 40) -> tuple[PoolEntry, ...]:
    regulated = [
        PoolEntry(entity_id=f"ent-{i:03d}", agency_ids=("ag-a",) if i % 2 else ("ag-a", "ag-b"))
        for i in range(n)
    ]
    return (*regulated, PoolEntry(entity_id="ent-other", agency_ids=("ag-zzz",)))


def token(i: int) -> str:
    return f"token-for-ballot-{i:04d}-xyz"


def drawn_history(representatives: int = 30) -> list[DomainEvent]:
    return run(
        [],
        schedule(representatives=representatives, reason="" if representatives >= 30 else "小县"),
        FreezePool(candidates=candidates(), at=AT),
        DrawRepresentatives(randomness="38 12 7", randomness_source="lottery", at=AT),
    )


def open_history(attendees: int = 5) -> list[DomainEvent]:
    history = drawn_history()
    state = fold(decider, history)
    return run(
        history,
        RecordAttendance(attendee_entity_ids=state.representatives[:attendees], at=AT),
        IssueBallots(tokens=tuple(token(i) for i in range(attendees)), at=AT),
    )


def cast(
    i: int, a: Rating = S, b: Rating = S, problems: Sequence[str] = (), comment: str = ""
) -> CastBallot:
    return ballot(
        token(i),
        (
            AgencyRating(agency_id="ag-a", rating=a, comment=comment),
            AgencyRating(agency_id="ag-b", rating=b),
        ),
        tuple(RaisedOnBallot(agency_id="ag-b", description=p) for p in problems),
    )


def ballot(
    token_value: str,
    ratings: tuple[AgencyRating, ...],
    problems: tuple[RaisedOnBallot, ...] = (),
) -> CastBallot:
    content = BallotContent(ratings=ratings, problems=problems)
    boxed = BoxedBallot(token_hash=hash_token(token_value), content=content)
    return CastBallot(
        token=token_value,
        content=content,
        sealed=fake_seal(boxed),
        channel=BallotChannel.phone,
        at=AT,
    )


def closing(
    rate: float = 0.3, problems: int = 2, minimum: int = 1, seed: str = SEED
) -> Callable[[MeetingState], CloseMeeting]:
    """A close as the API builds it: the box opened outside, a secret seed."""

    def command(state: MeetingState) -> CloseMeeting:
        return CloseMeeting(
            lookback_dissatisfaction_rate=rate,
            lookback_problems_raised=problems,
            min_valid_ballots=minimum,
            opened_box=open_box(state.box, fake_unseal),
            shuffle_seed=seed,
            at=AT,
        )

    return command


CLOSE = closing()


def state_of(history: list[DomainEvent]) -> MeetingState:
    return fold(decider, history)


# -- scheduling -------------------------------------------------------------------


def test_fewer_than_thirty_needs_a_reason() -> None:
    given(decider).when(schedule(representatives=12)).then_refused(Invalid, "30")
    events = given(decider).when(schedule(representatives=12, reason="山区县代表少")).decided()
    assert isinstance(events[0], EvaluationMeetingScheduled)
    assert events[0].reason_for_fewer == "山区县代表少"


def test_a_meeting_is_scheduled_once() -> None:
    given(decider, *run([], schedule())).when(schedule()).then_refused(Conflict)


def test_pool_keeps_only_entities_of_the_evaluated_agencies_and_must_be_big_enough() -> None:
    history = run([], schedule(), FreezePool(candidates=candidates(), at=AT))
    pool = state_of(history).pool
    assert pool is not None and len(pool.entities) == 40
    assert all("ag-zzz" not in e.agency_ids for e in pool.entities)
    given(decider, *run([], schedule())).when(
        FreezePool(candidates=candidates(10), at=AT)
    ).then_refused(Invalid, "fewer than")


def test_draw_needs_a_frozen_pool_and_happens_once() -> None:
    given(decider, *run([], schedule())).when(
        DrawRepresentatives(randomness="1", randomness_source="", at=AT)
    ).then_refused(Conflict)
    given(decider, *drawn_history()).when(
        DrawRepresentatives(randomness="2", randomness_source="", at=AT)
    ).then_refused(Conflict)


# -- replacements and attendance ------------------------------------------------


def test_declining_representatives_are_replaced_from_the_reserve_in_order() -> None:
    history = drawn_history()
    state = state_of(history)
    assert state.drawn is not None
    first, second = state.representatives[0], state.representatives[1]
    history = run(
        history,
        ReplaceRepresentative(entity_id=first, reason="出差", at=AT),
        ReplaceRepresentative(entity_id=second, reason="生病", at=AT),
    )
    replaced = [e for e in history if isinstance(e, RepresentativeReplaced)]
    assert [r.replacement_entity_id for r in replaced] == list(state.drawn.reserves[:2])
    assert [r.reserve_position for r in replaced] == [1, 2]
    after = state_of(history)
    assert after.representatives[0] == state.drawn.reserves[0]
    given(decider, *history).when(
        ReplaceRepresentative(entity_id=first, reason="", at=AT)
    ).then_refused(Invalid, "not a representative")


def test_reserve_exhaustion_is_refused() -> None:
    history = drawn_history()
    for _ in range(5):  # reserve_size = 5
        rep = state_of(history).representatives[0]
        history = run(history, ReplaceRepresentative(entity_id=rep, reason="", at=AT))
    rep = state_of(history).representatives[0]
    given(decider, *history).when(
        ReplaceRepresentative(entity_id=rep, reason="", at=AT)
    ).then_refused(Conflict, "exhausted")


def test_only_drawn_representatives_check_in() -> None:
    given(decider, *drawn_history()).when(
        RecordAttendance(attendee_entity_ids=("ent-other",), at=AT)
    ).then_refused(Invalid, "ent-other")


def test_ballots_are_issued_in_the_number_of_attendees_as_sorted_hashes() -> None:
    history = drawn_history()
    reps = state_of(history).representatives
    history = run(history, RecordAttendance(attendee_entity_ids=reps[:3], at=AT))
    given(decider, *history).when(IssueBallots(tokens=(token(0), token(1)), at=AT)).then_refused(
        Invalid, "attendees"
    )
    given(decider, *history).when(
        IssueBallots(tokens=("short", "short2", "short3"), at=AT)
    ).then_refused(Invalid, "too short")
    issued = (
        given(decider, *history)
        .when(IssueBallots(tokens=(token(2), token(0), token(1)), at=AT))
        .decided()[0]
    )
    hashes = list(issued.model_dump()["token_hashes"])
    assert hashes == sorted(hash_token(token(i)) for i in range(3))
    assert token(0) not in str(issued.model_dump())


# -- casting: every refusal --------------------------------------------------------


def test_a_valid_ballot_is_cast_once() -> None:
    history = run(open_history(), cast(0))
    given(decider, *history).when(cast(0)).then_refused(Conflict, "already")


def test_unknown_token_is_refused() -> None:
    bad = ballot("not-a-real-token-at-all", cast(0).content.ratings)
    given(decider, *open_history()).when(bad).then_refused(Forbidden, "unknown token")


def test_casting_after_close_is_refused() -> None:
    history = run(open_history(), cast(0), CLOSE)
    given(decider, *history).when(cast(1)).then_refused(Conflict, "closed")


def test_a_spoiled_ballot_cannot_be_cast_or_spoiled_again() -> None:
    history = run(open_history(), SpoilBallot(token=token(1), reason="撕坏", at=AT))
    given(decider, *history).when(cast(1)).then_refused(Conflict, "spoiled")
    given(decider, *history).when(SpoilBallot(token=token(1), reason="", at=AT)).then_refused(
        Conflict, "spoiled"
    )


@pytest.mark.parametrize(
    ("ratings", "problems", "fragment"),
    [
        ((AgencyRating(agency_id="ag-a", rating=S),), (), "rate agency ag-b"),
        (
            (
                AgencyRating(agency_id="ag-a", rating=S),
                AgencyRating(agency_id="ag-a", rating=D),
                AgencyRating(agency_id="ag-b", rating=S),
            ),
            (),
            "twice",
        ),
        (
            (
                AgencyRating(agency_id="ag-a", rating=S),
                AgencyRating(agency_id="ag-b", rating=S),
                AgencyRating(agency_id="ag-x", rating=S),
            ),
            (),
            "ag-x",
        ),
        (
            (AgencyRating(agency_id="ag-a", rating=S), AgencyRating(agency_id="ag-b", rating=S)),
            (RaisedOnBallot(agency_id="ag-x", description="乱罚款"),),
            "ag-x",
        ),
    ],
)
def test_a_malformed_ballot_is_refused(
    ratings: tuple[AgencyRating, ...], problems: tuple[RaisedOnBallot, ...], fragment: str
) -> None:
    command = ballot(token(0), ratings, problems)
    given(decider, *open_history()).when(command).then_refused(Invalid, fragment)


def test_close_needs_an_open_meeting() -> None:
    drawn = drawn_history()
    given(decider, *drawn).when(CLOSE(state_of(drawn))).then_refused(Conflict)
    closed = run(open_history(), CLOSE)
    given(decider, *closed).when(CLOSE(state_of(closed))).then_refused(Conflict)


# -- tally, feedback, problems, look-back ----------------------------------------


def test_tally_counts_rates_ranking_spoiled_and_uncast() -> None:
    history = run(
        open_history(attendees=8),
        cast(0, S, D, problems=["乱罚款"], comment="态度好"),
        cast(1, B, D, problems=["办事拖拉"]),
        cast(2, D, S),
        cast(3, S, B),
        cast(4, S, D),
        SpoilBallot(token=token(4), reason="涂改", at=AT),  # cast, then spoiled
        SpoilBallot(token=token(5), reason="撕毁", at=AT),  # never cast
        CLOSE,
    )
    tallied = next(e for e in history if isinstance(e, EvaluationTallied))
    assert (tallied.ballots_issued, tallied.ballots_cast, tallied.ballots_spoiled) == (8, 5, 2)
    assert (tallied.ballots_uncast, tallied.valid_ballots) == (2, 4)
    by_agency = {r.agency_id: r for r in tallied.results}
    a, b = by_agency["ag-a"], by_agency["ag-b"]
    assert (a.satisfied, a.basically_satisfied, a.dissatisfied, a.valid) == (2, 1, 1, 4)
    assert a.satisfaction_rate == pytest.approx(0.75)
    assert a.dissatisfaction_rate == pytest.approx(0.25)
    assert (b.satisfied, b.basically_satisfied, b.dissatisfied) == (1, 1, 2)
    assert b.satisfaction_rate == pytest.approx(0.5)
    assert b.problems_raised == 2
    assert [(r.agency_id, r.rank) for r in tallied.results] == [("ag-a", 1), ("ag-b", 2)]

    fed_back = {e.agency_id: e for e in history if isinstance(e, ResultsFedBack)}
    assert set(fed_back) == {"ag-a", "ag-b"}
    # Comments stay sealed in the batch: the feedback counts them, carries none.
    assert fed_back["ag-a"].comments == () and fed_back["ag-a"].comments_count == 1
    assert fed_back["ag-b"].comments_count == 0 and not fed_back["ag-b"].withheld

    raised = [e for e in history if isinstance(e, ProblemRaised)]
    assert sorted(p.description for p in raised) == ["乱罚款", "办事拖拉"]
    assert {p.agency_id for p in raised} == {"ag-b"}
    assert len({p.raised_id for p in raised}) == 2

    lookbacks = [e for e in history if isinstance(e, LookBackOpened)]
    assert [(lb.agency_id, lb.reasons) for lb in lookbacks] == [
        ("ag-b", ("dissatisfaction_rate", "problems_raised"))
    ]


def test_equal_rates_share_a_rank() -> None:
    history = run(open_history(attendees=2), cast(0, S, S), cast(1, D, D), CLOSE)
    tallied = next(e for e in history if isinstance(e, EvaluationTallied))
    assert [r.rank for r in tallied.results] == [1, 1]


def test_publication_and_lookback_completion() -> None:
    history = run(open_history(attendees=2), cast(0, D, S), cast(1, D, S))
    given(decider, *history).when(PublishResults(at=AT)).then_refused(Conflict)
    history = run(history, CLOSE, PublishResults(at=AT))
    given(decider, *history).when(PublishResults(at=AT)).then_refused(Conflict)
    state = state_of(history)
    assert state.published is not None and set(state.lookbacks) == {"ag-a"}
    history = run(history, CompleteLookBack(agency_id="ag-a", findings="已整改", at=AT))
    assert state_of(history).lookbacks["ag-a"].completed is not None
    given(decider, *history).when(
        CompleteLookBack(agency_id="ag-a", findings="again", at=AT)
    ).then_refused(Conflict)


def test_no_event_links_a_ballot_to_a_representative() -> None:
    history = run(
        open_history(attendees=5),
        cast(0),
        cast(1, D, D, problems=["x"]),
        SpoilBallot(token=token(2), reason="", at=AT),
        CLOSE,
    )
    representatives = set(state_of(history).representatives) | {e.entity_id for e in candidates()}
    tokens = {token(i) for i in range(5)}
    hashes = {hash_token(t) for t in tokens}
    for event in history:
        text = event.model_dump_json()
        assert not any(t in text for t in tokens), f"{event.name} carries a token"
        if any(h in text for h in hashes):
            linked = [r for r in representatives if r in text]
            assert not linked, f"{event.name} links a ballot to {linked}"
    spent = [e for e in history if isinstance(e, BallotTokenSpent)]
    assert {s.token_hash for s in spent} == {hash_token(token(0)), hash_token(token(1))}
