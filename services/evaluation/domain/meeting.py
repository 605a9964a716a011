"""The meeting decider: scheduling, pool, draw, replacements, attendance, ballots,
close and tally, feedback, publication, look-backs, recorded readings. Pure.
Preparation is decided in ``preparation``, the box in ``ballots``, what the close
publishes after the tally in ``closing``; the state is in ``state``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from services.evaluation.domain import ballots, preparation
from services.evaluation.domain.closing import after_tally, publishable
from services.evaluation.domain.commands import (
    CastBallot,
    CloseMeeting,
    CompleteLookBack,
    DrawRepresentatives,
    FreezePool,
    IssueBallots,
    MeetingCommand,
    PublishResults,
    ReadBallotComments,
    ReadRepresentatives,
    RecordAttendance,
    ReplaceRepresentative,
    ScheduleMeeting,
    SpoilBallot,
)
from services.evaluation.domain.preparation import pool_document
from services.evaluation.domain.state import (
    STATUS_ZH,
    LookBack,
    MeetingState,
    MeetingStatus,
    status_conflict,
)
from services.evaluation.domain.tally import BALLOT_COUNTS, counts, tally
from shared.errors import Conflict, Invalid, NotFound
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AttendanceRecorded,
    BallotBoxOpened,
    BallotCast,
    BallotCommentsRead,
    BallotSealed,
    BallotsIssued,
    BallotSpoiled,
    BallotTokenSpent,
    EvaluationMeetingScheduled,
    EvaluationTallied,
    LookBackCompleted,
    LookBackOpened,
    MeetingClosed,
    PoolFrozen,
    ProblemRaised,
    RepresentativeReplaced,
    RepresentativesDrawn,
    RepresentativesSheetRead,
    ResultsFedBack,
    ResultsPublished,
)

__all__ = [
    "MEETING_EVENTS",
    "STATUS_ZH",
    "LookBack",
    "MeetingDecider",
    "MeetingState",
    "MeetingStatus",
    "pool_document",
]


class MeetingDecider:
    def initial_state(self) -> MeetingState:
        return MeetingState()

    def decide(self, command: MeetingCommand, state: MeetingState) -> Sequence[DomainEvent]:
        if isinstance(command, ScheduleMeeting):
            return preparation.schedule(command, state)
        if state.scheduled is None:
            raise NotFound("评议会不存在", "no such evaluation meeting", field="meeting_id")
        step = _STEPS.get(type(command))
        if step is None:
            raise TypeError(f"unknown command {command!r}")
        if step.status is not None and state.status is not step.status:
            raise status_conflict(state, step.wanted_zh, step.wanted_en)
        return step.decide(command, state)

    def evolve(self, state: MeetingState, event: DomainEvent) -> MeetingState:
        change = _CHANGES.get(type(event))
        return state if change is None else change(state, event)


# -- ballots: spending apart from the sealed content --------------------------------


def _usable_token(token: str, state: MeetingState, verb_zh: str, verb_en: str) -> str:
    return ballots.check_token(
        token,
        state.token_hashes,
        state.spoiled_hashes,
        state.status is MeetingStatus.open,
        verb_zh,
        verb_en,
    )


def _cast(c: CastBallot, state: MeetingState) -> list[DomainEvent]:
    token_hash = _usable_token(c.token, state, "投票", "cast a ballot")
    if token_hash in state.spent:
        raise Conflict(
            "该选票已投过，不能重复投票",
            "this ballot has already been cast",
            field="token",
            code="already_cast",
        )
    ballots.check_content(c.content, state.agency_ids)
    spent = BallotTokenSpent(
        meeting_id=state.meeting.meeting_id,
        token_hash=token_hash,
        channel=c.channel,
        spent_at=c.at,
    )
    return list(ballots.cast_events(state.meeting.meeting_id, c.sealed, spent))


def _spoil(c: SpoilBallot, state: MeetingState) -> list[DomainEvent]:
    token_hash = _usable_token(c.token, state, "作废选票", "spoil a ballot")
    return [
        BallotSpoiled(
            meeting_id=state.meeting.meeting_id,
            token_hash=token_hash,
            was_cast=token_hash in state.spent,
            reason=c.reason,
            spoiled_at=c.at,
        )
    ]


# -- close, feedback, publication, look-backs ------------------------------------


def _close(c: CloseMeeting, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    legacy_hashes = frozenset(b.token_hash for b in state.legacy_casts)
    ballots.check_box(c.opened_box, len(state.box), state.spent - legacy_hashes)
    valid, dropped = ballots.batch(
        c.opened_box, state.legacy_casts, state.spoiled_hashes, c.shuffle_seed
    )
    counted = tally(
        state.agency_ids, len(state.token_hashes), state.spent, state.spoiled_hashes, valid
    )
    return [
        MeetingClosed(
            meeting_id=meeting.meeting_id, closed_at=c.at, **counts(counted, BALLOT_COUNTS)
        ),
        BallotBoxOpened(
            meeting_id=meeting.meeting_id,
            ballots=valid,
            sealed_records=len(state.box),
            spoiled_excluded=dropped,
            opened_at=c.at,
        ),
        *after_tally(c, meeting, counted, valid),
    ]


def _publish(c: PublishResults, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    if state.status is not MeetingStatus.closed or state.tallied is None:
        raise status_conflict(
            state,
            "只有已计票的评议会才能公布结果一次",
            "results are published once, after the tally",
        )
    minimum = state.tallied.min_valid_ballots
    return [
        ResultsPublished(
            meeting_id=meeting.meeting_id,
            campaign_id=meeting.campaign_id,
            region_code=meeting.region_code,
            valid_ballots=state.tallied.valid_ballots,
            results=tuple(r for r in state.tallied.results if publishable(r, minimum)),
            min_valid_ballots=minimum,
            withheld=tuple(
                r.agency_id for r in state.tallied.results if not publishable(r, minimum)
            ),
            published_at=c.at,
        )
    ]


def _read(c: ReadRepresentatives | ReadBallotComments, state: MeetingState) -> list[DomainEvent]:
    purpose = c.purpose.strip()
    if len(purpose) < 2:
        raise Invalid(
            "请写明查阅用途", "state the purpose of reading", field="purpose", code="purpose"
        )
    reading: type[RepresentativesSheetRead | BallotCommentsRead]
    if isinstance(c, ReadRepresentatives):
        if state.drawn is None:
            raise status_conflict(
                state, "抽取之后才有代表名单", "there is no sheet before the draw"
            )
        reading = RepresentativesSheetRead
    else:
        if state.opened is None and not state.legacy_casts:
            raise status_conflict(
                state, "票箱开启（计票）之后才能查阅意见", "comments are read after the count"
            )
        reading = BallotCommentsRead
    return [
        reading(
            meeting_id=state.meeting.meeting_id,
            reader=c.reader,
            office_id=c.office_id,
            purpose=purpose,
            read_at=c.at,
        )
    ]


def _complete_lookback(c: CompleteLookBack, state: MeetingState) -> list[DomainEvent]:
    lookback = state.lookbacks.get(c.agency_id)
    if lookback is None:
        raise NotFound(
            f"{c.agency_id} 没有“回头看”", f"no look-back for {c.agency_id}", field="agency_id"
        )
    if lookback.completed is not None:
        raise Conflict(
            "该“回头看”已完成",
            "this look-back is already completed",
            field="agency_id",
            code="already_completed",
        )
    return [
        LookBackCompleted(
            meeting_id=state.meeting.meeting_id,
            lookback_id=lookback.opened.lookback_id,
            agency_id=c.agency_id,
            findings=c.findings,
            completed_at=c.at,
        )
    ]


@dataclass(frozen=True)
class _Step:
    """How a command is decided, and the status it needs, if one: a meeting goes
    through its preparation, voting and close one status at a time."""

    decide: Callable[[Any, MeetingState], Sequence[DomainEvent]]
    status: MeetingStatus | None = None
    wanted_zh: str = ""
    wanted_en: str = ""


# Every command but scheduling, which alone may find no meeting.
_STEPS: dict[type, _Step] = {
    FreezePool: _Step(
        preparation.freeze,
        MeetingStatus.scheduled,
        "样本库只能冻结一次",
        "the pool is frozen only once",
    ),
    DrawRepresentatives: _Step(
        preparation.draw_representatives,
        MeetingStatus.pool_frozen,
        "只能在冻结样本库之后抽取一次",
        "the draw happens once, after the pool is frozen",
    ),
    ReplaceRepresentative: _Step(
        preparation.replace,
        MeetingStatus.drawn,
        "只能在抽取之后、签到之前替换代表",
        "replacements happen after the draw, before check-in",
    ),
    RecordAttendance: _Step(
        preparation.attendance,
        MeetingStatus.drawn,
        "签到只能在抽取之后记录一次",
        "attendance is recorded once, after the draw",
    ),
    IssueBallots: _Step(
        preparation.issue,
        MeetingStatus.attended,
        "选票只能在签到之后发放一次",
        "ballots are issued once, after check-in",
    ),
    # Casting and spoiling answer by the token first: its own refusal names the closed
    # voting.
    CastBallot: _Step(_cast),
    SpoilBallot: _Step(_spoil),
    CloseMeeting: _Step(
        _close, MeetingStatus.open, "只有投票中的评议会才能结束", "only an open meeting can close"
    ),
    PublishResults: _Step(_publish),
    CompleteLookBack: _Step(_complete_lookback),
    ReadRepresentatives: _Step(_read),
    ReadBallotComments: _Step(_read),
}


# -- evolve -------------------------------------------------------------------------


def _replaced(state: MeetingState, event: RepresentativeReplaced) -> MeetingState:
    return replace(
        state,
        representatives=tuple(
            event.replacement_entity_id if r == event.declined_entity_id else r
            for r in state.representatives
        ),
        reserves_used=event.reserve_position,
        replacements=(*state.replacements, event),
    )


def _lookback_completed(state: MeetingState, event: LookBackCompleted) -> MeetingState:
    opened = state.lookbacks[event.agency_id].opened
    return replace(state, lookbacks={**state.lookbacks, event.agency_id: LookBack(opened, event)})


# What each event changes in the state; the others (feedback, problems raised, readings)
# leave it as it is.
_CHANGES: dict[type[DomainEvent], Callable[[MeetingState, Any], MeetingState]] = {
    EvaluationMeetingScheduled: lambda s, e: replace(
        s, status=MeetingStatus.scheduled, scheduled=e
    ),
    PoolFrozen: lambda s, e: replace(s, status=MeetingStatus.pool_frozen, pool=e),
    RepresentativesDrawn: lambda s, e: replace(
        s,
        status=MeetingStatus.drawn,
        drawn=e,
        representatives=tuple(r.entity_id for r in e.representatives),
    ),
    RepresentativeReplaced: _replaced,
    AttendanceRecorded: lambda s, e: replace(s, status=MeetingStatus.attended, attendance=e),
    BallotsIssued: lambda s, e: replace(
        s, status=MeetingStatus.open, token_hashes=frozenset(e.token_hashes)
    ),
    # The former, linkable form: old topics only.
    BallotCast: lambda s, e: replace(
        s, spent=s.spent | {e.token_hash}, legacy_casts=(*s.legacy_casts, e)
    ),
    BallotTokenSpent: lambda s, e: replace(s, spent=s.spent | {e.token_hash}),
    BallotSealed: lambda s, e: replace(s, box=(*s.box, e.sealed)),
    # The sealed records are unreadable once the box key is shredded.
    BallotBoxOpened: lambda s, e: replace(s, box=(), opened=e),
    BallotSpoiled: lambda s, e: replace(s, spoiled=(*s.spoiled, e)),
    MeetingClosed: lambda s, e: replace(s, status=MeetingStatus.closed, closed=e),
    EvaluationTallied: lambda s, e: replace(s, tallied=e),
    ResultsPublished: lambda s, e: replace(s, status=MeetingStatus.published, published=e),
    LookBackOpened: lambda s, e: replace(s, lookbacks={**s.lookbacks, e.agency_id: LookBack(e)}),
    LookBackCompleted: _lookback_completed,
}


MEETING_EVENTS: tuple[type[DomainEvent], ...] = (
    EvaluationMeetingScheduled,
    PoolFrozen,
    RepresentativesDrawn,
    RepresentativeReplaced,
    AttendanceRecorded,
    BallotsIssued,
    BallotCast,
    BallotTokenSpent,
    BallotSealed,
    BallotSpoiled,
    MeetingClosed,
    BallotBoxOpened,
    EvaluationTallied,
    ResultsFedBack,
    ResultsPublished,
    LookBackOpened,
    LookBackCompleted,
    ProblemRaised,
    BallotCommentsRead,
    RepresentativesSheetRead,
)
