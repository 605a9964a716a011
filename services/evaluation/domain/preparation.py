"""Deciding a meeting's preparation: scheduling, the pool, the draw, replacements,
check-in, issuing ballots. Pure. The decider calls each step once the meeting is at
the status the step needs (``meeting._STEPS``)."""

from __future__ import annotations

from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.commands import (
    DrawRepresentatives,
    FreezePool,
    IssueBallots,
    RecordAttendance,
    ReplaceRepresentative,
    ScheduleMeeting,
)
from services.evaluation.domain.state import MeetingState
from services.evaluation.domain.tokens import MIN_TOKEN_LENGTH, hash_token
from shared.access_policy import within_region
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AttendanceRecorded,
    BallotsIssued,
    EvaluationMeetingScheduled,
    PoolEntry,
    PoolFrozen,
    RepresentativeReplaced,
    RepresentativesDrawn,
)


def schedule(c: ScheduleMeeting, state: MeetingState) -> list[DomainEvent]:
    for agency in c.agencies:
        # A meeting evaluates the agencies of its own region: its representatives are
        # drawn from the entities there.
        if not within_region(c.region_code, agency.region_code):
            raise Invalid(
                f"执法机关 {agency.agency_id} 不在评议会所在区域 {c.region_code} 内",
                f"agency {agency.agency_id} is not within the meeting's region {c.region_code}",
                field="agency_ids",
            )
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


def freeze(c: FreezePool, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    wanted = set(state.agency_ids)
    entries = tuple(
        PoolEntry(entity_id=e.entity_id, agency_ids=tuple(sorted(set(e.agency_ids) & wanted)))
        for e in sorted(c.candidates, key=lambda e: e.entity_id)
        if set(e.agency_ids) & wanted
    )
    if len(entries) < meeting.representatives:
        raise Invalid(
            f"样本库只有 {len(entries)} 个监管对象，少于应抽取的 {meeting.representatives} 名代表",
            f"the pool has {len(entries)} regulated entities, fewer than the "
            f"{meeting.representatives} representatives to draw",
            field="representatives",
            code="pool_too_small",
        )
    document = draw_algorithm.normalise_pool(
        draw_algorithm.PoolDocument(
            agency_ids=state.agency_ids,
            representatives=meeting.representatives,
            reserve_size=meeting.reserve_size,
            entities=entries,
        )
    )
    return [
        PoolFrozen(
            meeting_id=meeting.meeting_id,
            pool_hash=draw_algorithm.pool_hash(document),
            frozen_at=c.at,
            **dict(document),
        )
    ]


def draw_representatives(c: DrawRepresentatives, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    assert state.pool is not None  # frozen with the status the step needs
    result = draw_algorithm.draw(pool_document(state.pool), c.randomness, state.pool.algorithm)
    return [
        RepresentativesDrawn(
            meeting_id=meeting.meeting_id,
            randomness=c.randomness,
            randomness_source=c.randomness_source,
            drawn_at=c.at,
            **dict(result),
        )
    ]


def replace(c: ReplaceRepresentative, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    assert state.drawn is not None  # drawn with the status the step needs
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
            meeting_id=meeting.meeting_id,
            declined_entity_id=c.entity_id,
            replacement_entity_id=state.drawn.reserves[state.reserves_used],
            reserve_position=state.reserves_used + 1,
            reason=c.reason,
            replaced_at=c.at,
        )
    ]


# -- attendance and ballots -----------------------------------------------------


def attendance(c: RecordAttendance, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    attendees = set(c.attendee_entity_ids)
    if len(attendees) != len(c.attendee_entity_ids):
        raise Invalid("签到名单有重复", "an attendee is listed twice", field="attendee_entity_ids")
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
            meeting_id=meeting.meeting_id,
            attendee_entity_ids=tuple(r for r in state.representatives if r in attendees),
            absent_entity_ids=tuple(r for r in state.representatives if r not in attendees),
            recorded_at=c.at,
        )
    ]


def issue(c: IssueBallots, state: MeetingState) -> list[DomainEvent]:
    meeting = state.meeting
    assert state.attendance is not None  # recorded with the status the step needs
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
            meeting_id=meeting.meeting_id,
            count=len(c.tokens),
            token_hashes=tuple(sorted(hash_token(t) for t in c.tokens)),
            issued_at=c.at,
        )
    ]


# The events record the pool document and the draw's result field for field (the
# event's own fields beside them), so each reads back from its event's attributes.


def pool_document(pool: PoolFrozen) -> draw_algorithm.PoolDocument:
    return draw_algorithm.PoolDocument.model_validate(pool, from_attributes=True)


def drawn_result(drawn: RepresentativesDrawn) -> draw_algorithm.DrawResult:
    """The recorded draw as the algorithm gives it, for anyone to compare."""
    return draw_algorithm.DrawResult.model_validate(drawn, from_attributes=True)
