"""The meeting decider: scheduling, pool, draw, replacements, attendance, ballots,
close and tally, feedback, publication, look-backs. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.commands import (
    CastBallot,
    CloseMeeting,
    CompleteLookBack,
    DrawRepresentatives,
    FreezePool,
    IssueBallots,
    MeetingCommand,
    PublishResults,
    RecordAttendance,
    ReplaceRepresentative,
    ScheduleMeeting,
    SpoilBallot,
)
from services.evaluation.domain.tally import TALLY_ALGORITHM, tally, valid_ballots
from services.evaluation.domain.tokens import MIN_TOKEN_LENGTH, hash_token
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AttendanceRecorded,
    BallotCast,
    BallotsIssued,
    BallotSpoiled,
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
    casts: tuple[BallotCast, ...] = ()
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
    def cast_hashes(self) -> frozenset[str]:
        return frozenset(c.token_hash for c in self.casts)

    @property
    def spoiled_hashes(self) -> frozenset[str]:
        return frozenset(s.token_hash for s in self.spoiled)


def lookback_id(meeting_id: str, agency_id: str) -> str:
    return f"lb-{meeting_id}-{agency_id}"


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

    def _ballot_in_play(self, token: str, state: MeetingState, verb_zh: str, verb_en: str) -> str:
        token_hash = hash_token(token)
        if token_hash not in state.token_hashes:
            raise Forbidden(
                "选票无效：未知的选票令牌",
                "invalid ballot: unknown token",
                field="token",
                code="unknown_token",
            )
        if state.status is not MeetingStatus.open:
            raise Conflict(
                f"评议会已结束投票，不能{verb_zh}",
                f"voting at this meeting is closed; cannot {verb_en}",
                field="token",
                code="meeting_closed",
            )
        if token_hash in state.spoiled_hashes:
            raise Conflict(
                "该选票已作废", "this ballot has been spoiled", field="token", code="ballot_spoiled"
            )
        return token_hash

    def _cast(self, c: CastBallot, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        token_hash = self._ballot_in_play(c.token, state, "投票", "cast a ballot")
        if token_hash in state.cast_hashes:
            raise Conflict(
                "该选票已投过，不能重复投票",
                "this ballot has already been cast",
                field="token",
                code="already_cast",
            )
        agencies = state.agency_ids
        rated = [r.agency_id for r in c.ratings]
        if len(set(rated)) != len(rated):
            raise Invalid("同一机关评价了两次", "an agency is rated twice", field="ratings")
        for agency_id in rated:
            if agency_id not in agencies:
                raise Invalid(
                    f"{agency_id} 不是被评议机关",
                    f"{agency_id} is not under evaluation",
                    field="ratings",
                )
        missing = [a for a in agencies if a not in rated]
        if missing:
            raise Invalid(
                f"请对 {missing[0]} 作出评价", f"rate agency {missing[0]}", field="ratings"
            )
        for problem in c.problems:
            if problem.agency_id not in agencies:
                raise Invalid(
                    f"{problem.agency_id} 不是被评议机关",
                    f"{problem.agency_id} is not under evaluation",
                    field="problems",
                )
        return [
            BallotCast(
                meeting_id=state.scheduled.meeting_id,
                token_hash=token_hash,
                channel=c.channel,
                ratings=tuple(sorted(c.ratings, key=lambda r: r.agency_id)),
                comments=c.comments,
                problems=c.problems,
                cast_at=c.at,
            )
        ]

    def _spoil(self, c: SpoilBallot, state: MeetingState) -> list[DomainEvent]:
        assert state.scheduled is not None
        token_hash = self._ballot_in_play(c.token, state, "作废选票", "spoil a ballot")
        return [
            BallotSpoiled(
                meeting_id=state.scheduled.meeting_id,
                token_hash=token_hash,
                was_cast=token_hash in state.cast_hashes,
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
        counted = tally(state.agency_ids, len(state.token_hashes), state.casts, state.spoiled)
        events: list[DomainEvent] = [
            MeetingClosed(
                meeting_id=meeting.meeting_id,
                ballots_issued=counted.ballots_issued,
                ballots_cast=counted.ballots_cast,
                ballots_spoiled=counted.ballots_spoiled,
                ballots_uncast=counted.ballots_uncast,
                closed_at=c.at,
            ),
            EvaluationTallied(
                meeting_id=meeting.meeting_id,
                campaign_id=meeting.campaign_id,
                region_code=meeting.region_code,
                algorithm=TALLY_ALGORITHM,
                ballots_issued=counted.ballots_issued,
                ballots_cast=counted.ballots_cast,
                ballots_spoiled=counted.ballots_spoiled,
                ballots_uncast=counted.ballots_uncast,
                valid_ballots=counted.valid_ballots,
                results=counted.results,
                lookback_dissatisfaction_rate=c.lookback_dissatisfaction_rate,
                lookback_problems_raised=c.lookback_problems_raised,
                tallied_at=c.at,
            ),
        ]
        valid = valid_ballots(state.casts, state.spoiled)
        by_agency = {r.agency_id: r for r in counted.results}
        for agency_id in state.agency_ids:
            events.append(
                ResultsFedBack(
                    meeting_id=meeting.meeting_id,
                    agency_id=agency_id,
                    result=by_agency[agency_id],
                    comments=tuple(
                        sorted(
                            r.comment
                            for b in valid
                            for r in b.ratings
                            if r.agency_id == agency_id and r.comment
                        )
                    ),
                    problems=tuple(
                        sorted(
                            p.description
                            for b in valid
                            for p in b.problems
                            if p.agency_id == agency_id
                        )
                    ),
                    fed_back_at=c.at,
                )
            )
        region_of = {a.agency_id: a.region_code for a in meeting.agencies}
        # Sorted, numbered and stamped at close time: nothing ties a problem to a ballot.
        raised = sorted((p.agency_id, p.description) for b in valid for p in b.problems)
        for index, (agency_id, description) in enumerate(raised, start=1):
            events.append(
                ProblemRaised(
                    meeting_id=meeting.meeting_id,
                    raised_id=f"{meeting.meeting_id}-p{index:03d}",
                    campaign_id=meeting.campaign_id,
                    agency_id=agency_id,
                    region_code=region_of[agency_id],
                    description=description,
                    raised_at=c.at,
                )
            )
        for result in counted.results:
            reasons = lookback_reasons(result.dissatisfaction_rate, result.problems_raised, c)
            if reasons:
                events.append(
                    LookBackOpened(
                        meeting_id=meeting.meeting_id,
                        lookback_id=lookback_id(meeting.meeting_id, result.agency_id),
                        agency_id=result.agency_id,
                        reasons=reasons,
                        dissatisfaction_rate=result.dissatisfaction_rate,
                        problems_raised=result.problems_raised,
                        opened_at=c.at,
                    )
                )
        return events

    def _publish(self, c: PublishResults, state: MeetingState) -> list[DomainEvent]:
        meeting = state.scheduled
        assert meeting is not None
        if state.status is not MeetingStatus.closed or state.tallied is None:
            raise _status_conflict(
                state,
                "只有已计票的评议会才能公布结果一次",
                "results are published once, after the tally",
            )
        return [
            ResultsPublished(
                meeting_id=meeting.meeting_id,
                campaign_id=meeting.campaign_id,
                region_code=meeting.region_code,
                valid_ballots=state.tallied.valid_ballots,
                results=state.tallied.results,
                published_at=c.at,
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
            case BallotCast():
                return replace(state, casts=(*state.casts, event))
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


def lookback_reasons(
    dissatisfaction_rate: float, problems_raised: int, thresholds: CloseMeeting
) -> tuple[str, ...]:
    """At or above either threshold opens a look-back (回头看)."""
    reasons = []
    if dissatisfaction_rate >= thresholds.lookback_dissatisfaction_rate:
        reasons.append("dissatisfaction_rate")
    if problems_raised >= thresholds.lookback_problems_raised:
        reasons.append("problems_raised")
    return tuple(reasons)


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
    BallotSpoiled,
    MeetingClosed,
    EvaluationTallied,
    ResultsFedBack,
    ResultsPublished,
    LookBackOpened,
    LookBackCompleted,
    ProblemRaised,
)
