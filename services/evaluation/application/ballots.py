"""Ballots: issued by the office at check-in, printed, spoiled by a teller; looked up
and cast with the token alone (a voter is never an actor). A ballot is sealed under
the meeting's box key before the decider sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain import ballots
from services.evaluation.domain.access import require_office_for
from services.evaluation.domain.commands import CastBallot, IssueBallots, SpoilBallot
from services.evaluation.domain.state import MeetingState, MeetingStatus
from services.evaluation.domain.tokens import hash_token, new_token
from services.evaluation.sealing import BoxAlreadyShredded
from shared.actors import Actor, Role
from shared.errors import Conflict
from shared.events.evaluation import (
    AgencyRating,
    AgencyUnderEvaluation,
    BallotChannel,
    BallotContent,
    RaisedOnBallot,
)

# Casting is recorded without the caller's identity: a voter is never an actor.
ANONYMOUS_VOTER = "public:anonymous-voter"


async def issue_ballots(app: EvaluationApp, actor: Actor, meeting_id: str) -> tuple[str, ...]:
    """One token per attendee (the decider checks the count); the tokens are shown
    only now, the meeting keeps their hashes."""
    state = app.office_meeting(meeting_id, actor)
    attendees = len(state.attendance.attendee_entity_ids) if state.attendance else 0
    tokens = tuple(new_token() for _ in range(max(attendees, 1)))
    command = IssueBallots(tokens=tokens, at=app.clock.now())
    await app.execute(meeting_id, command, actor.as_extension(), state)
    await app.sealer.prepare(meeting_id)  # before any token is handed out
    return tokens


def slips(app: EvaluationApp, actor: Actor, meeting_id: str, tokens: Sequence[str]) -> MeetingState:
    """The meeting whose slips are printed, once every token is known to be its own."""
    state = app.office_meeting(meeting_id, actor)
    ballots.check_issued(tokens, state.token_hashes)
    return state


async def spoil_ballot(
    app: EvaluationApp, actor: Actor, meeting_id: str, token: str, reason: str
) -> MeetingState:
    state = app.office_meeting(meeting_id, actor)
    command = SpoilBallot(token=token, reason=reason, at=app.clock.now())
    await app.execute(meeting_id, command, actor.as_extension(), state)
    return app.meeting(meeting_id)


@dataclass(frozen=True)
class BallotStanding:
    """What a token opens: its meeting, and whether it may still be cast."""

    meeting_id: str
    place: str
    held_on: date
    state: str
    agencies: tuple[AgencyUnderEvaluation, ...]


def look_up_ballot(app: EvaluationApp, token: str) -> BallotStanding:
    _, state = app.meeting_of_token(token)
    meeting = state.scheduled
    assert meeting is not None
    where = ballots.standing(
        hash_token(token), state.spent, state.spoiled_hashes, state.status is MeetingStatus.open
    )
    return BallotStanding(
        meeting_id=meeting.meeting_id,
        place=meeting.place,
        held_on=meeting.held_on,
        state=where,
        agencies=meeting.agencies,
    )


def check_token(app: EvaluationApp, token: str) -> None:
    """403 unless ``token`` is a ballot some meeting issued."""
    app.meeting_of_token(token)


async def cast_ballot(
    app: EvaluationApp, actor: Actor | None, token: str, content: BallotContent
) -> str:
    """Cast by a phone (no actor) or by a teller of the meeting's office, who types a
    paper ballot in; the meeting's id."""
    meeting_id, state = app.meeting_of_token(token)
    assert state.scheduled is not None
    teller = actor if actor is not None and actor.role is Role.legal_office else None
    if teller is not None:
        require_office_for(teller, state.scheduled.region_code)
    sealed_content, sealed = _stripped(content), ""
    if state.status is MeetingStatus.open:  # otherwise the decider refuses; nothing to seal
        try:
            sealed_content, sealed = await app.sealer.seal(
                meeting_id, hash_token(token), sealed_content
            )
        except BoxAlreadyShredded as exc:
            raise Conflict(
                "评议会已结束投票，不能投票",
                "voting at this meeting is closed; cannot cast a ballot",
                field="token",
                code="meeting_closed",
            ) from exc
    command = CastBallot(
        token=token,
        content=sealed_content,
        sealed=sealed,
        channel=BallotChannel.teller if teller is not None else BallotChannel.phone,
        at=app.clock.now(),
    )
    recorded_actor = (
        teller.as_extension()
        if teller is not None
        else f"{ANONYMOUS_VOTER}:{state.scheduled.region_code}"
    )
    await app.execute(meeting_id, command, recorded_actor, state)
    return meeting_id


def _stripped(content: BallotContent) -> BallotContent:
    return BallotContent(
        ratings=tuple(
            AgencyRating(agency_id=r.agency_id, rating=r.rating, comment=r.comment.strip())
            for r in content.ratings
        ),
        comments=content.comments.strip(),
        problems=tuple(
            RaisedOnBallot(agency_id=p.agency_id, description=p.description.strip())
            for p in content.problems
        ),
    )
