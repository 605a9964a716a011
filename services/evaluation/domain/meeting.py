"""The meeting decider: scheduling, pool, draw, replacements, attendance, ballots,
close and tally, feedback, publication, look-backs. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from services.evaluation.domain import ballots
from services.evaluation.domain import draw as draw_algorithm
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
from services.evaluation.domain.tally import tally
from services.evaluation.domain.tokens import MIN_TOKEN_LENGTH, hash_token
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
    PoolEntry,
    PoolFrozen,
    ProblemRaised,
    RepresentativeReplaced,
    RepresentativesDrawn,
    RepresentativesSheetRead,
    ResultsFedBack,
    ResultsPublished,
)


class MeetingStatus(StrEnum):
    new = "new"
    scheduled = "scheduled"  # 已安排
    pool_frozen = "pool_frozen"  # 样本库已冻结
    drawn = "drawn"  # 已抽取代表
    attended = "attended"  # 已签到
    open = "open"  # 投票中
    closed = "closed"  # 已计票
    published = "published"  # 已公布


STATUS_ZH: dict[MeetingStatus, str] = {
    MeetingStatus.new: "未安排",
    MeetingStatus.scheduled: "已安排",
    MeetingStatus.pool_frozen: "样本库已冻结",
    MeetingStatus.drawn: "已抽取代表",
    MeetingStatus.attended: "已签到",
    MeetingStatus.open: "投票中",
    MeetingStatus.closed: "已计票",
    MeetingStatus.published: "已公布",
}


@dataclass(frozen=True)
class LookBack:
    opened: LookBackOpened
    completed: LookBackCompleted | None = None


@dataclass(frozen=True)
class MeetingState:
    status: MeetingStatus = MeetingStatus.new
    scheduled: EvaluationMeetingScheduled | None = None
    pool: PoolFrozen | None = None
    drawn: RepresentativesDrawn | None = None
    representatives: tuple[str, ...] = ()
    reserves_used: int = 0
    replacements: tuple[RepresentativeReplaced, ...] = ()
    attendance: AttendanceRecorded | None = None
    token_hashes: frozenset[str] = frozenset()
    spent: frozenset[str] = frozenset()
    box: tuple[str, ...] = ()
    opened: BallotBoxOpened | None = None
    legacy_casts: tuple[BallotCast, ...] = ()
    spoiled: tuple[BallotSpoiled, ...] = ()
    closed: MeetingClosed | None = None
    tallied: EvaluationTallied | None = None
    published: ResultsPublished | None = None
    lookbacks: dict[str, LookBack] = field(default_factory=dict)

    @property
    def agency_ids(self) -> tuple[str, ...]:
        assert self.scheduled is not None
        return tuple(a.agency_id for a in self.scheduled.agencies)

    @property
    def spoiled_hashes(self) -> frozenset[str]:
        return frozenset(s.token_hash for s in self.spoiled)


def _status_conflict(state: MeetingState, wanted_zh: str, wanted_en: str) -> Conflict:
    return Conflict(
        f"评议会当前状态为“{STATUS_ZH[state.status]}”，{wanted_zh}",
        f"the meeting is {state.status.value}; {wanted_en}",
        field="status",
        code="wrong_status",
    )


class MeetingDecider:
    def initial_state(self) -> MeetingState:
        return MeetingState()

    def decide(self, command: MeetingCommand, state: MeetingState) -> Sequence[DomainEvent]:
        if isinstance(command, ScheduleMeeting):
            return self._schedule(command, state)
        if state.scheduled is None:
            raise NotFound("评议会不存在", "no such evaluation meeting", field="meeting_id")
        match command:
            case FreezePool():
                return self._freeze(command, state)
            case DrawRepresentatives():
                return self._draw(command, state)
            case ReplaceRepresentative():
                return self._replace(command, state)
            case RecordAttendance():
                return self._attendance(command, state)
            case IssueBallots():
                return self._issue(command, state)
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

    # -- scheduling, pool, draw ------------------------------------------------------

    def _schedule(self, c: ScheduleMeeting, state: MeetingState) -> list[DomainEvent]:
        if state.scheduled is not None:
            raise Conflict(
                f"评议会 {c.meeting_id} 已安排",
                f"meeting {c.meeting_id} is already scheduled",
                field="meeting_id",
                code="duplicate",
            )
        if not c.agencies:
            raise Invalid(
                "至少需要一个被评议机关",
                "at least one agency must be evaluated",
                field="agency_ids",
            )
        ids = [a.agency_id for a in c.agencies]
        if len(set(ids)) != len(ids):
            raise Invalid("被评议机关重复", "an agency is listed twice", field="agency_ids")
        if c.representatives < c.min_representatives and not c.reason_for_fewer.strip():
            raise Invalid(
                f"评议代表一般不少于 {c.min_representatives} 人；人数更少时须写明理由",
                f"at least {c.min_representatives} representatives are required unless a "
                "reason for fewer is recorded",
                field="representatives",
                code="too_few_representatives",
            )
        return [
            EvaluationMeetingScheduled(
                meeting_id=c.meeting_id,
                campaign_id=c.campaign_id,
                region_code=c.region_code,
                office_id=c.office_id,
                agencies=c.agencies,
                held_on=c.held_on,
                place=c.place,
                representatives=c.representatives,
                reserve_size=c.reserve_size,
                min_representatives=c.min_representatives,
                reason_for_fewer=c.reason_for_fewer.strip(),
                scheduled_at=c.at,
            )
        ]

    def _freeze(self, c: FreezePool, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        if state.status is not MeetingStatus.scheduled:
            raise _status_conflict(state, "样本库只能冻结一次", "the pool is frozen only once")
        wanted = set(state.agency_ids)
        entries = tuple(
            PoolEntry(entity_id=e.entity_id, agency_ids=tuple(sorted(set(e.agency_ids) & wanted)))
            for e in sorted(c.candidates, key=lambda e: e.entity_id)
            if set(e.agency_ids) & wanted
        )
        if len(entries) < state.scheduled.representatives:
            raise Invalid(
                f"样本库只有 {len(entries)} 个监管对象，少于应抽取的 "
                f"{state.scheduled.representatives} 名代表",
                f"the pool has {len(entries)} regulated entities, fewer than the "
                f"{state.scheduled.representatives} representatives to draw",
                field="representatives",
                code="pool_too_small",
            )
        document = draw_algorithm.normalise_pool(
            draw_algorithm.PoolDocument(
                agency_ids=state.agency_ids,
                representatives=state.scheduled.representatives,
                reserve_size=state.scheduled.reserve_size,
                entities=entries,
            )
        )
        return [
            PoolFrozen(
                meeting_id=state.scheduled.meeting_id,
                algorithm=document.algorithm,
                pool_hash=draw_algorithm.pool_hash(document),
                agency_ids=document.agency_ids,
                representatives=document.representatives,
                reserve_size=document.reserve_size,
                entities=document.entities,
                frozen_at=c.at,
            )
        ]

    def _draw(self, c: DrawRepresentatives, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        if state.status is not MeetingStatus.pool_frozen or state.pool is None:
            raise _status_conflict(
                state,
                "只能在冻结样本库之后抽取一次",
                "the draw happens once, after the pool is frozen",
            )
        result = draw_algorithm.draw(pool_document(state.pool), c.randomness, state.pool.algorithm)
        return [
            RepresentativesDrawn(
                meeting_id=state.scheduled.meeting_id,
                algorithm=result.algorithm,
                pool_hash=result.pool_hash,
                randomness=c.randomness,
                randomness_source=c.randomness_source,
                seed=result.seed,
                quotas=result.quotas,
                representatives=result.representatives,
                reserves=result.reserves,
                drawn_at=c.at,
            )
        ]

    def _replace(self, c: ReplaceRepresentative, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        if state.status is not MeetingStatus.drawn or state.drawn is None:
            raise _status_conflict(
                state,
                "只能在抽取之后、签到之前替换代表",
                "replacements happen after the draw, before check-in",
            )
        if c.entity_id not in state.representatives:
            raise Invalid(
                f"{c.entity_id} 不是本次评议会的代表",
                f"{c.entity_id} is not a representative",
                field="entity_id",
            )
        if state.reserves_used >= len(state.drawn.reserves):
            raise Conflict(
                "备选名单已用完",
                "the reserve list is exhausted",
                field="entity_id",
                code="reserve_exhausted",
            )
        return [
            RepresentativeReplaced(
                meeting_id=state.scheduled.meeting_id,
                declined_entity_id=c.entity_id,
                replacement_entity_id=state.drawn.reserves[state.reserves_used],
                reserve_position=state.reserves_used + 1,
                reason=c.reason,
                replaced_at=c.at,
            )
        ]

    # -- attendance and ballots -----------------------------------------------------

    def _attendance(self, c: RecordAttendance, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        if state.status is not MeetingStatus.drawn:
            raise _status_conflict(
                state, "签到只能在抽取之后记录一次", "attendance is recorded once, after the draw"
            )
        attendees = set(c.attendee_entity_ids)
        if len(attendees) != len(c.attendee_entity_ids):
            raise Invalid(
                "签到名单有重复", "an attendee is listed twice", field="attendee_entity_ids"
            )
        strangers = sorted(attendees - set(state.representatives))
        if strangers:
            raise Invalid(
                f"{strangers[0]} 不是本次评议会的代表",
                f"{strangers[0]} is not a representative of this meeting",
                field="attendee_entity_ids",
            )
        if not attendees:
            raise Invalid("没有代表签到", "nobody checked in", field="attendee_entity_ids")
        return [
            AttendanceRecorded(
                meeting_id=state.scheduled.meeting_id,
                attendee_entity_ids=tuple(r for r in state.representatives if r in attendees),
                absent_entity_ids=tuple(r for r in state.representatives if r not in attendees),
                recorded_at=c.at,
            )
        ]

    def _issue(self, c: IssueBallots, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        if state.status is not MeetingStatus.attended or state.attendance is None:
            raise _status_conflict(
                state, "选票只能在签到之后发放一次", "ballots are issued once, after check-in"
            )
        attendees = len(state.attendance.attendee_entity_ids)
        if len(c.tokens) != attendees:
            raise Invalid(
                f"选票数（{len(c.tokens)}）应等于到会代表数（{attendees}）",
                f"the number of ballots ({len(c.tokens)}) must equal the attendees ({attendees})",
                field="tokens",
            )
        if any(len(t) < MIN_TOKEN_LENGTH for t in c.tokens) or len(set(c.tokens)) != len(c.tokens):
            raise Invalid(
                "选票令牌过短或重复", "ballot tokens are too short or repeated", field="tokens"
            )
        return [
            BallotsIssued(
                meeting_id=state.scheduled.meeting_id,
                count=len(c.tokens),
                token_hashes=tuple(sorted(hash_token(t) for t in c.tokens)),
                issued_at=c.at,
            )
        ]

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
        return list(ballots.cast_events(state.scheduled.meeting_id, token_hash, c.sealed, spent))

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
            raise _status_conflict(
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
            raise _status_conflict(
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
                raise _status_conflict(
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
            raise _status_conflict(
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


def pool_document(pool: PoolFrozen) -> draw_algorithm.PoolDocument:
    return draw_algorithm.PoolDocument(
        algorithm=pool.algorithm,
        agency_ids=pool.agency_ids,
        representatives=pool.representatives,
        reserve_size=pool.reserve_size,
        entities=pool.entities,
    )


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
