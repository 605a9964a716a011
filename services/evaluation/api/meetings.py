"""Meetings: scheduling, pool, draw, replacements, attendance, look-backs (ballots
and the count are in ``counting``, recorded readings in ``readings``). Legal offices
act for their region and below."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.evaluation.api.context import (
    EvaluationDep,
    office_meeting,
    require_office_for,
    require_reader_for,
)
from services.evaluation.api.models import (
    REFUSALS,
    AttendanceRequest,
    CompleteLookBackRequest,
    DrawRequest,
    LookBackView,
    MeetingView,
    ReplaceRequest,
    ScheduleRequest,
)
from services.evaluation.domain.commands import (
    CompleteLookBack,
    DrawRepresentatives,
    FreezePool,
    MeetingCommand,
    RecordAttendance,
    ReplaceRepresentative,
    ScheduleMeeting,
)
from services.evaluation.domain.meeting import MeetingState
from shared.auth import CurrentActor
from shared.errors import Invalid, Refusal
from shared.events.evaluation import (
    AgencyUnderEvaluation,
)
from shared.eventstore import CommandContext
from shared.ids import prefixed_id
from shared.regions import jiangxi, known_region
from shared.text import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


@router.post(
    "/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingView,
    summary="安排民主评议会 / Schedule an evaluation meeting",
)
async def schedule(body: ScheduleRequest, actor: CurrentActor, ev: EvaluationDep) -> MeetingView:
    region = known_region(body.region_code)
    require_office_for(actor, region)
    regions = jiangxi()
    agencies = []
    for agency_id in body.agency_ids:
        agency = ev.directory.agencies.get(agency_id)
        if agency is None:
            raise Invalid(
                f"未知的执法机关 {agency_id}", f"unknown agency {agency_id}", field="agency_ids"
            )
        if agency.region_code not in regions or not regions.is_within(agency.region_code, region):
            raise Invalid(
                f"执法机关 {agency_id} 不在评议会所在区域 {region} 内",
                f"agency {agency_id} is not within the meeting's region {region}",
                field="agency_ids",
            )
        agencies.append(
            AgencyUnderEvaluation(
                agency_id=agency.agency_id, name=agency.name, region_code=agency.region_code
            )
        )
    campaign_id = body.campaign_id or ev.settings.default_campaign_id
    meeting_id = body.meeting_id or prefixed_id("meet-", 12)
    command = ScheduleMeeting(
        meeting_id=meeting_id,
        campaign_id=campaign_id,
        region_code=region,
        office_id=actor.organisation,
        agencies=tuple(agencies),
        held_on=body.held_on,
        place=body.place,
        representatives=body.representatives,
        reserve_size=body.representatives if body.reserve_size is None else body.reserve_size,
        min_representatives=ev.directory.rules(campaign_id).min_representatives,
        reason_for_fewer=body.reason_for_fewer,
        at=ev.clock.now(),
    )
    await ev.store.execute(
        "meeting",
        meeting_id,
        command,
        _context(actor.as_extension(), campaign_id, region),
    )
    return MeetingView.of(ev.meeting(meeting_id))


def _context(actor: str, campaign_id: str, region: str) -> CommandContext:
    return CommandContext(actor=actor, campaign_id=campaign_id, region_code=region)


async def _act(
    ev: EvaluationDep,
    meeting_id: str,
    command: MeetingCommand,
    actor: CurrentActor,
    state: MeetingState,
) -> MeetingView:
    """Decide ``command`` for the meeting and answer with the meeting as it now stands."""
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    return MeetingView.of(ev.meeting(meeting_id))


@router.get(
    "/meetings", response_model=list[MeetingView], summary="评议会列表 / List evaluation meetings"
)
async def list_meetings(actor: CurrentActor, ev: EvaluationDep) -> list[MeetingView]:
    views = []
    for _, state in ev.store.all("meeting"):
        if state.scheduled is None:
            continue
        try:
            require_reader_for(actor, state.scheduled.region_code)
        except Refusal:  # a meeting outside the actor's reach is not listed
            continue
        views.append(MeetingView.of(state))
    return sorted(views, key=lambda v: v.meeting_id)


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingView,
    summary="评议会详情 / One evaluation meeting",
)
async def get_meeting(meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep) -> MeetingView:
    return MeetingView.of(ev.readable_meeting(meeting_id, actor))


@router.post(
    "/meetings/{meeting_id}/pool/freeze",
    response_model=MeetingView,
    summary="冻结样本库（记录哈希）/ Freeze the pool (its hash is recorded)",
)
async def freeze_pool(meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep) -> MeetingView:
    state = office_meeting(ev, meeting_id, actor)
    assert state.scheduled is not None
    command = FreezePool(
        candidates=ev.directory.candidates(state.scheduled.region_code), at=ev.clock.now()
    )
    return await _act(ev, meeting_id, command, actor, state)


@router.post(
    "/meetings/{meeting_id}/draw",
    response_model=MeetingView,
    summary="用公开随机数抽取代表 / Draw representatives with public randomness",
)
async def draw(
    meeting_id: IdPath, body: DrawRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = office_meeting(ev, meeting_id, actor)
    command = DrawRepresentatives(
        randomness=body.randomness, randomness_source=body.randomness_source, at=ev.clock.now()
    )
    return await _act(ev, meeting_id, command, actor, state)


@router.post(
    "/meetings/{meeting_id}/replacements",
    response_model=MeetingView,
    summary="代表谢绝时按备选顺序替补 / Replace a declining representative",
)
async def replace_representative(
    meeting_id: IdPath, body: ReplaceRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = office_meeting(ev, meeting_id, actor)
    command = ReplaceRepresentative(entity_id=body.entity_id, reason=body.reason, at=ev.clock.now())
    return await _act(ev, meeting_id, command, actor, state)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response_model=MeetingView,
    summary="记录签到 / Record check-in",
)
async def record_attendance(
    meeting_id: IdPath, body: AttendanceRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = office_meeting(ev, meeting_id, actor)
    command = RecordAttendance(
        attendee_entity_ids=tuple(body.attendee_entity_ids), at=ev.clock.now()
    )
    return await _act(ev, meeting_id, command, actor, state)


@router.get(
    "/lookbacks", response_model=list[LookBackView], summary="“回头看”列表 / Look-back reviews"
)
async def list_lookbacks(
    actor: CurrentActor, ev: EvaluationDep, open_only: bool = False
) -> list[LookBackView]:
    views: list[LookBackView] = []
    for _, state in ev.store.all("meeting"):
        if state.scheduled is None or not state.lookbacks:
            continue
        try:
            require_reader_for(actor, state.scheduled.region_code)
        except Refusal:  # outside the actor's reach
            continue
        views.extend(LookBackView.of(lb) for lb in state.lookbacks.values())
    if open_only:
        views = [v for v in views if not v.completed]
    return sorted(views, key=lambda v: v.lookback_id)


@router.post(
    "/meetings/{meeting_id}/lookbacks/{agency_id}/complete",
    response_model=LookBackView,
    summary="完成“回头看” / Complete a look-back review",
)
async def complete_lookback(
    meeting_id: IdPath,
    agency_id: IdPath,
    body: CompleteLookBackRequest,
    actor: CurrentActor,
    ev: EvaluationDep,
) -> LookBackView:
    state = office_meeting(ev, meeting_id, actor)
    command = CompleteLookBack(agency_id=agency_id, findings=body.findings, at=ev.clock.now())
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    return LookBackView.of(ev.meeting(meeting_id).lookbacks[agency_id])
