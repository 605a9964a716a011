"""Meetings: scheduling, pool, draw, replacements, attendance, ballots issued,
close and tally, publication, look-backs. Legal offices act for their region and below."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from services.evaluation.api.context import (
    EvaluationDep,
    known_region,
    require_office_for,
    require_reader_for,
)
from services.evaluation.api.models import (
    REFUSALS,
    AttendanceRequest,
    BallotsIssuedView,
    CompleteLookBackRequest,
    DrawRequest,
    IssuedBallot,
    LookBackView,
    MeetingView,
    ReplaceRequest,
    RepresentativeView,
    ScheduleRequest,
    SlipsRequest,
    SpoilRequest,
    TallyCheckView,
    TallyView,
    tally_view,
)
from services.evaluation.api.slips import slips_page
from services.evaluation.domain.audit import recompute_tally
from services.evaluation.domain.commands import (
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
from services.evaluation.domain.meeting import MeetingState
from services.evaluation.domain.tokens import hash_token, new_token
from shared.access_policy import Resource
from shared.auth import CurrentActor
from shared.errors import Conflict, Invalid, Refusal
from shared.events.base import DomainEvent
from shared.events.evaluation import AgencyUnderEvaluation, BallotsIssued
from shared.eventstore import CommandContext
from shared.ids import prefixed_id
from shared.regions import jiangxi

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


def _office_meeting(ev: EvaluationDep, meeting_id: str, actor: CurrentActor) -> MeetingState:
    state = ev.meeting(meeting_id)
    assert state.scheduled is not None
    require_office_for(actor, state.scheduled.region_code)
    return state


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
async def get_meeting(meeting_id: str, actor: CurrentActor, ev: EvaluationDep) -> MeetingView:
    return MeetingView.of(ev.readable_meeting(meeting_id, actor))


@router.post(
    "/meetings/{meeting_id}/pool/freeze",
    response_model=MeetingView,
    summary="冻结样本库（记录哈希）/ Freeze the pool (its hash is recorded)",
)
async def freeze_pool(meeting_id: str, actor: CurrentActor, ev: EvaluationDep) -> MeetingView:
    state = _office_meeting(ev, meeting_id, actor)
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
    meeting_id: str, body: DrawRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = _office_meeting(ev, meeting_id, actor)
    command = DrawRepresentatives(
        randomness=body.randomness, randomness_source=body.randomness_source, at=ev.clock.now()
    )
    return await _act(ev, meeting_id, command, actor, state)


@router.get(
    "/meetings/{meeting_id}/representatives",
    response_model=list[RepresentativeView],
    summary="签到名单（解密姓名，仅限法制办）/ Check-in sheet with names (office only)",
)
async def representatives_sheet(
    meeting_id: str, actor: CurrentActor, ev: EvaluationDep
) -> list[RepresentativeView]:
    state = ev.readable_meeting(meeting_id, actor, Resource.representatives_sheet)
    replaced = {r.replacement_entity_id: r.declined_entity_id for r in state.replacements}
    attended = set(state.attendance.attendee_entity_ids) if state.attendance else None

    def sheet() -> list[RepresentativeView]:
        return [
            RepresentativeView(
                position=position,
                entity_id=entity_id,
                name=ev.unseal(entity_id, "name"),
                contact=ev.unseal(entity_id, "contact"),
                replaces=replaced.get(entity_id),
                attended=None if attended is None else entity_id in attended,
            )
            for position, entity_id in enumerate(state.representatives, start=1)
        ]

    return await asyncio.to_thread(sheet)


@router.post(
    "/meetings/{meeting_id}/replacements",
    response_model=MeetingView,
    summary="代表谢绝时按备选顺序替补 / Replace a declining representative",
)
async def replace_representative(
    meeting_id: str, body: ReplaceRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = _office_meeting(ev, meeting_id, actor)
    command = ReplaceRepresentative(entity_id=body.entity_id, reason=body.reason, at=ev.clock.now())
    return await _act(ev, meeting_id, command, actor, state)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response_model=MeetingView,
    summary="记录签到 / Record check-in",
)
async def record_attendance(
    meeting_id: str, body: AttendanceRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = _office_meeting(ev, meeting_id, actor)
    command = RecordAttendance(
        attendee_entity_ids=tuple(body.attendee_entity_ids), at=ev.clock.now()
    )
    return await _act(ev, meeting_id, command, actor, state)


@router.post(
    "/meetings/{meeting_id}/ballots",
    status_code=status.HTTP_201_CREATED,
    response_model=BallotsIssuedView,
    summary="按到会人数发放一次性选票（开始投票）/ Issue one-time ballots, one per attendee",
)
async def issue_ballots(
    meeting_id: str, request: Request, actor: CurrentActor, ev: EvaluationDep
) -> BallotsIssuedView:
    state = _office_meeting(ev, meeting_id, actor)
    attendees = len(state.attendance.attendee_entity_ids) if state.attendance else 0
    # Randomness comes from outside the decider; the count is checked there.
    tokens = tuple(new_token() for _ in range(max(attendees, 1)))
    await ev.execute(
        meeting_id, IssueBallots(tokens=tokens, at=ev.clock.now()), actor.as_extension(), state
    )
    base = str(request.base_url).rstrip("/")
    return BallotsIssuedView(
        meeting_id=meeting_id,
        count=len(tokens),
        ballots=[
            IssuedBallot(
                token=t, ballot_url=f"{base}/ballots/{t}", qr_svg_url=f"{base}/ballots/{t}/qr.svg"
            )
            for t in tokens
        ],
    )


@router.post(
    "/meetings/{meeting_id}/ballots/slips",
    response_class=HTMLResponse,
    summary="打印选票（含二维码）/ Printable ballot slips with QR codes (HTML)",
)
async def print_slips(
    meeting_id: str, body: SlipsRequest, request: Request, actor: CurrentActor, ev: EvaluationDep
) -> HTMLResponse:
    state = _office_meeting(ev, meeting_id, actor)
    for token in body.tokens:
        if hash_token(token) not in state.token_hashes:
            raise Invalid(
                "有选票令牌不属于本评议会",
                "a token does not belong to this meeting",
                field="tokens",
            )
    base = str(request.base_url).rstrip("/")
    return HTMLResponse(slips_page(state, body.tokens, base))


@router.post(
    "/meetings/{meeting_id}/ballots/spoil",
    response_model=MeetingView,
    summary="计票员作废选票 / A teller spoils a ballot",
)
async def spoil_ballot(
    meeting_id: str, body: SpoilRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = _office_meeting(ev, meeting_id, actor)
    await ev.execute(
        meeting_id,
        SpoilBallot(token=body.token, reason=body.reason, at=ev.clock.now()),
        actor.as_extension(),
        state,
    )
    return MeetingView.of(ev.meeting(meeting_id))


@router.post(
    "/meetings/{meeting_id}/close",
    response_model=TallyView,
    summary="结束投票并计票 / Close voting and tally",
)
async def close_meeting(meeting_id: str, actor: CurrentActor, ev: EvaluationDep) -> TallyView:
    state = _office_meeting(ev, meeting_id, actor)
    assert state.scheduled is not None
    rules = ev.directory.rules(state.scheduled.campaign_id)
    command = CloseMeeting(
        lookback_dissatisfaction_rate=rules.lookback_dissatisfaction_rate,
        lookback_problems_raised=rules.lookback_problems_raised,
        at=ev.clock.now(),
    )
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    view = tally_view(ev.meeting(meeting_id))
    assert view is not None
    return view


@router.get(
    "/meetings/{meeting_id}/tally/verify",
    response_model=TallyCheckView,
    summary="由事件重新计票并核对 / Recompute the tally from the events and compare",
)
async def verify_tally(meeting_id: str, actor: CurrentActor, ev: EvaluationDep) -> TallyCheckView:
    state = ev.readable_meeting(meeting_id, actor)
    assert state.scheduled is not None
    if state.tallied is None:
        raise Conflict("尚未计票", "not tallied yet", field="status", code="wrong_status")
    check = recompute_tally(_tally_events(state))
    recomputed = check.recomputed
    return TallyCheckView(
        meeting_id=meeting_id,
        matches=check.matches,
        first_difference=check.first_difference,
        recomputed=TallyView(
            meeting_id=meeting_id,
            algorithm=state.tallied.algorithm,
            ballots_issued=recomputed.ballots_issued,
            ballots_cast=recomputed.ballots_cast,
            ballots_spoiled=recomputed.ballots_spoiled,
            ballots_uncast=recomputed.ballots_uncast,
            valid_ballots=recomputed.valid_ballots,
            results=list(recomputed.results),
            lookbacks=[],
        ),
    )


def _tally_events(state: MeetingState) -> list[DomainEvent]:
    assert state.scheduled is not None and state.tallied is not None
    issued = BallotsIssued(
        meeting_id=state.scheduled.meeting_id,
        count=len(state.token_hashes),
        token_hashes=tuple(sorted(state.token_hashes)),
        issued_at=state.tallied.tallied_at,
    )
    return [state.scheduled, issued, *state.casts, *state.spoiled, state.tallied]


@router.post(
    "/meetings/{meeting_id}/publish",
    response_model=TallyView,
    summary="向社会公布评议结果 / Publish the results",
)
async def publish(meeting_id: str, actor: CurrentActor, ev: EvaluationDep) -> TallyView:
    state = _office_meeting(ev, meeting_id, actor)
    await ev.execute(meeting_id, PublishResults(at=ev.clock.now()), actor.as_extension(), state)
    view = tally_view(ev.meeting(meeting_id))
    assert view is not None
    return view


@router.get(
    "/meetings/{meeting_id}/results",
    response_model=TallyView,
    summary="已公布的评议结果（公开）/ Published results (public)",
)
async def published_results(meeting_id: str, ev: EvaluationDep) -> TallyView:
    state = ev.meeting(meeting_id)
    view = tally_view(state)
    if state.published is None or view is None:
        raise Conflict(
            "评议结果尚未公布",
            "the results are not published yet",
            field="status",
            code="not_published",
        )
    return view


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
    meeting_id: str,
    agency_id: str,
    body: CompleteLookBackRequest,
    actor: CurrentActor,
    ev: EvaluationDep,
) -> LookBackView:
    state = _office_meeting(ev, meeting_id, actor)
    command = CompleteLookBack(agency_id=agency_id, findings=body.findings, at=ev.clock.now())
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    return LookBackView.of(ev.meeting(meeting_id).lookbacks[agency_id])
