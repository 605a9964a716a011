"""The meeting decider: scheduling, pool, draw, replacements, attendance, ballots,
close and tally, feedback, publication, look-backs, recorded readings. Pure.
Preparation is decided in ``preparation``, the box in ``ballots``, what the close
publishes after the tally in ``closing``; the state is in ``state``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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
from services.evaluation.domain.tally import tally
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
        match command:
            case FreezePool():
                return preparation.freeze(command, state)
            case DrawRepresentatives():
                return preparation.draw_representatives(command, state)
            case ReplaceRepresentative():
                return preparation.replace(command, state)
            case RecordAttendance():
                return preparation.attendance(command, state)
            case IssueBallots():
                return preparation.issue(command, state)
            case CastBallot():
                return self._cast(command, state)
            case SpoilBallot():
                return self._spoil(command, state)
            case CloseMeeting():
                return self._close(command, state)
            case PublishResults():
                return self._publish(command, state)
            case CompleteLookBack():
                return self._complete_lookback(command, state)
            case ReadRepresentatives() | ReadBallotComments():
                return self._read(command, state)
        raise TypeError(f"unknown command {command!r}")

    # -- ballots: spending apart from the sealed content --------------------------------

    def _cast(self, c: CastBallot, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        token_hash = ballots.check_token(
            c.token,
            state.token_hashes,
            state.spoiled_hashes,
            state.status is MeetingStatus.open,
            "投票",
            "cast a ballot",
        )
        if token_hash in state.spent:
            raise Conflict(
                "该选票已投过，不能重复投票",
                "this ballot has already been cast",
                field="token",
                code="already_cast",
            )
        ballots.check_content(c.content, state.agency_ids)
        spent = BallotTokenSpent(
            meeting_id=state.scheduled.meeting_id,
            token_hash=token_hash,
            channel=c.channel,
            spent_at=c.at,
        )
        return list(ballots.cast_events(state.scheduled.meeting_id, c.sealed, spent))

    def _spoil(self, c: SpoilBallot, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        token_hash = ballots.check_token(
            c.token,
            state.token_hashes,
            state.spoiled_hashes,
            state.status is MeetingStatus.open,
            "作废选票",
            "spoil a ballot",
        )
        return [
            BallotSpoiled(
                meeting_id=state.scheduled.meeting_id,
                token_hash=token_hash,
                was_cast=token_hash in state.spent,
                reason=c.reason,
                spoiled_at=c.at,
            )
        ]

    # -- close, feedback, publication, look-backs ------------------------------------

    def _close(self, c: CloseMeeting, state: MeetingState) -> list[DomainEvent]:
        meeting = state.scheduled
        assert meeting is not None
        if state.status is not MeetingStatus.open:
            raise status_conflict(
                state, "只有投票中的评议会才能结束", "only an open meeting can close"
            )
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
                meeting_id=meeting.meeting_id,
                ballots_issued=counted.ballots_issued,
                ballots_cast=counted.ballots_cast,
                ballots_spoiled=counted.ballots_spoiled,
                ballots_uncast=counted.ballots_uncast,
                closed_at=c.at,
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

    def _publish(self, c: PublishResults, state: MeetingState) -> list[DomainEvent]:
        meeting = state.scheduled
        assert meeting is not None
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

    def _read(
        self, c: ReadRepresentatives | ReadBallotComments, state: MeetingState
    ) -> list[DomainEvent]:
        assert state.scheduled is not None
        purpose = c.purpose.strip()
        if len(purpose) < 2:
            raise Invalid(
                "请写明查阅用途", "state the purpose of reading", field="purpose", code="purpose"
            )
        if isinstance(c, ReadRepresentatives):
            if state.drawn is None:
                raise status_conflict(
                    state, "抽取之后才有代表名单", "there is no sheet before the draw"
                )
            return [
                RepresentativesSheetRead(
                    meeting_id=state.scheduled.meeting_id,
                    reader=c.reader,
                    office_id=c.office_id,
                    purpose=purpose,
                    read_at=c.at,
                )
            ]
        if state.opened is None and not state.legacy_casts:
            raise status_conflict(
                state, "票箱开启（计票）之后才能查阅意见", "comments are read after the count"
            )
        return [
            BallotCommentsRead(
                meeting_id=state.scheduled.meeting_id,
                reader=c.reader,
                office_id=c.office_id,
                purpose=purpose,
                read_at=c.at,
            )
        ]

    def _complete_lookback(self, c: CompleteLookBack, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
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
                meeting_id=state.scheduled.meeting_id,
                lookback_id=lookback.opened.lookback_id,
                agency_id=c.agency_id,
                findings=c.findings,
                completed_at=c.at,
            )
        ]

    # -- evolve -------------------------------------------------------------------------

    def evolve(self, state: MeetingState, event: DomainEvent) -> MeetingState:
        match event:
            case EvaluationMeetingScheduled():
                return replace(state, status=MeetingStatus.scheduled, scheduled=event)
            case PoolFrozen():
                return replace(state, status=MeetingStatus.pool_frozen, pool=event)
            case RepresentativesDrawn():
                return replace(
                    state,
                    status=MeetingStatus.drawn,
                    drawn=event,
                    representatives=tuple(r.entity_id for r in event.representatives),
                )
            case RepresentativeReplaced():
                return replace(
                    state,
                    representatives=tuple(
                        event.replacement_entity_id if r == event.declined_entity_id else r
                        for r in state.representatives
                    ),
                    reserves_used=event.reserve_position,
                    replacements=(*state.replacements, event),
                )
            case AttendanceRecorded():
                return replace(state, status=MeetingStatus.attended, attendance=event)
            case BallotsIssued():
                return replace(
                    state, status=MeetingStatus.open, token_hashes=frozenset(event.token_hashes)
                )
            case BallotCast():  # the former, linkable form: old topics only
                return replace(
                    state,
                    spent=state.spent | {event.token_hash},
                    legacy_casts=(*state.legacy_casts, event),
                )
            case BallotTokenSpent():
                return replace(state, spent=state.spent | {event.token_hash})
            case BallotSealed():
                return replace(state, box=(*state.box, event.sealed))
            case BallotBoxOpened():
                # The sealed records are unreadable once the box key is shredded.
                return replace(state, box=(), opened=event)
            case BallotSpoiled():
                return replace(state, spoiled=(*state.spoiled, event))
            case MeetingClosed():
                return replace(state, status=MeetingStatus.closed, closed=event)
            case EvaluationTallied():
                return replace(state, tallied=event)
            case ResultsPublished():
                return replace(state, status=MeetingStatus.published, published=event)
            case LookBackOpened():
                return replace(
                    state, lookbacks={**state.lookbacks, event.agency_id: LookBack(event)}
                )
            case LookBackCompleted():
                opened = state.lookbacks[event.agency_id].opened
                return replace(
                    state, lookbacks={**state.lookbacks, event.agency_id: LookBack(opened, event)}
                )
        return state


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
