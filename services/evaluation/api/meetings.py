"""Meetings: scheduling, pool, draw, replacements, attendance, look-backs (ballots
and the count are in ``counting``, recorded readings in ``readings``)."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.evaluation.api.deps import AppDep
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
from services.evaluation.application import meetings
from shared.auth import CurrentActor
from shared.params import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


@router.post(
    "/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingView,
    summary="安排民主评议会 / Schedule an evaluation meeting",
)
async def schedule(body: ScheduleRequest, actor: CurrentActor, app: AppDep) -> MeetingView:
    # The request is the meeting as an office asks for it, field for field.
    new = meetings.NewMeeting(**dict(body))
    return MeetingView.of(await meetings.schedule_meeting(app, actor, new))


@router.get(
    "/meetings", response_model=list[MeetingView], summary="评议会列表 / List evaluation meetings"
)
async def list_meetings(actor: CurrentActor, app: AppDep) -> list[MeetingView]:
    return [MeetingView.of(state) for state in meetings.list_meetings(app, actor)]


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingView,
    summary="评议会详情 / One evaluation meeting",
)
async def get_meeting(meeting_id: IdPath, actor: CurrentActor, app: AppDep) -> MeetingView:
    return MeetingView.of(meetings.get_meeting(app, actor, meeting_id))


@router.post(
    "/meetings/{meeting_id}/pool/freeze",
    response_model=MeetingView,
    summary="冻结样本库（记录哈希）/ Freeze the pool (its hash is recorded)",
)
async def freeze_pool(meeting_id: IdPath, actor: CurrentActor, app: AppDep) -> MeetingView:
    return MeetingView.of(await meetings.freeze_pool(app, actor, meeting_id))


@router.post(
    "/meetings/{meeting_id}/draw",
    response_model=MeetingView,
    summary="用公开随机数抽取代表 / Draw representatives with public randomness",
)
async def draw(
    meeting_id: IdPath, body: DrawRequest, actor: CurrentActor, app: AppDep
) -> MeetingView:
    state = await meetings.draw_representatives(
        app, actor, meeting_id, body.randomness, body.randomness_source
    )
    return MeetingView.of(state)


@router.post(
    "/meetings/{meeting_id}/replacements",
    response_model=MeetingView,
    summary="代表谢绝时按备选顺序替补 / Replace a declining representative",
)
async def replace_representative(
    meeting_id: IdPath, body: ReplaceRequest, actor: CurrentActor, app: AppDep
) -> MeetingView:
    state = await meetings.replace_representative(
        app, actor, meeting_id, body.entity_id, body.reason
    )
    return MeetingView.of(state)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response_model=MeetingView,
    summary="记录签到 / Record check-in",
)
async def record_attendance(
    meeting_id: IdPath, body: AttendanceRequest, actor: CurrentActor, app: AppDep
) -> MeetingView:
    state = await meetings.record_attendance(
        app, actor, meeting_id, tuple(body.attendee_entity_ids)
    )
    return MeetingView.of(state)


@router.get(
    "/lookbacks", response_model=list[LookBackView], summary="“回头看”列表 / Look-back reviews"
)
async def list_lookbacks(
    actor: CurrentActor, app: AppDep, open_only: bool = False
) -> list[LookBackView]:
    return [LookBackView.of(lb) for lb in meetings.list_lookbacks(app, actor, open_only)]


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
    app: AppDep,
) -> LookBackView:
    lookback = await meetings.complete_lookback(app, actor, meeting_id, agency_id, body.findings)
    return LookBackView.of(lookback)
