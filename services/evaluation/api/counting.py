"""Ballots issued, printed, spoiled; the close (box opened, batch published, box key
shredded), the tally re-verified, publication and the public results."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from services.evaluation.api.deps import AppDep
from services.evaluation.api.models import (
    REFUSALS,
    BallotsIssuedView,
    IssuedBallot,
    MeetingView,
    SlipsRequest,
    SpoilRequest,
    TallyCheckView,
    TallyView,
    tally_view,
)
from services.evaluation.api.slips import ballot_url, slips_page
from services.evaluation.application import ballots, counting, public
from services.evaluation.domain.state import MeetingState
from shared.auth import CurrentActor
from shared.params import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _tally(state: MeetingState, public: bool = False) -> TallyView:
    view = tally_view(state, public=public)
    assert view is not None
    return view


@router.post(
    "/meetings/{meeting_id}/ballots",
    status_code=status.HTTP_201_CREATED,
    response_model=BallotsIssuedView,
    summary="按到会人数发放一次性选票（开始投票）/ Issue one-time ballots, one per attendee",
)
async def issue_ballots(
    meeting_id: IdPath, request: Request, actor: CurrentActor, app: AppDep
) -> BallotsIssuedView:
    tokens = await ballots.issue_ballots(app, actor, meeting_id)
    base = _base_url(request)
    return BallotsIssuedView(
        meeting_id=meeting_id,
        count=len(tokens),
        ballots=[IssuedBallot(token=t, ballot_url=ballot_url(base, t)) for t in tokens],
    )


@router.post(
    "/meetings/{meeting_id}/ballots/slips",
    response_class=HTMLResponse,
    summary="打印选票（含二维码）/ Printable ballot slips with QR codes (HTML)",
)
async def print_slips(
    meeting_id: IdPath, body: SlipsRequest, request: Request, actor: CurrentActor, app: AppDep
) -> HTMLResponse:
    state = ballots.slips(app, actor, meeting_id, body.tokens)
    return HTMLResponse(slips_page(state, body.tokens, _base_url(request)))


@router.post(
    "/meetings/{meeting_id}/ballots/spoil",
    response_model=MeetingView,
    summary="计票员作废选票 / A teller spoils a ballot",
)
async def spoil_ballot(
    meeting_id: IdPath, body: SpoilRequest, actor: CurrentActor, app: AppDep
) -> MeetingView:
    state = await ballots.spoil_ballot(app, actor, meeting_id, body.token, body.reason)
    return MeetingView.of(state)


@router.post(
    "/meetings/{meeting_id}/close",
    response_model=TallyView,
    summary="结束投票并计票 / Close voting and tally",
)
async def close_meeting(meeting_id: IdPath, actor: CurrentActor, app: AppDep) -> TallyView:
    """Opens the box (its key unseals every record), publishes the valid contents as
    one shuffled batch with the tally, then shreds the box key: from then on the
    per-cast records can never be read, nor linked to the spent tokens."""
    return _tally(await counting.close_meeting(app, actor, meeting_id))


@router.get(
    "/meetings/{meeting_id}/tally/verify",
    response_model=TallyCheckView,
    summary="由事件重新计票并核对 / Recompute the tally from the events and compare",
)
async def verify_tally(meeting_id: IdPath, actor: CurrentActor, app: AppDep) -> TallyCheckView:
    state, check = counting.verify_tally(app, actor, meeting_id)
    assert state.tallied is not None
    recomputed = check.recomputed
    return TallyCheckView(
        meeting_id=meeting_id,
        matches=check.matches,
        first_difference=check.first_difference,
        recomputed=TallyView.shown(
            recomputed, meeting_id=meeting_id, algorithm=state.tallied.algorithm, lookbacks=[]
        ),
    )


@router.post(
    "/meetings/{meeting_id}/publish",
    response_model=TallyView,
    summary="向社会公布评议结果 / Publish the results",
)
async def publish(meeting_id: IdPath, actor: CurrentActor, app: AppDep) -> TallyView:
    return _tally(await counting.publish_results(app, actor, meeting_id))


@router.get(
    "/meetings/{meeting_id}/results",
    response_model=TallyView,
    summary="已公布的评议结果（公开）/ Published results (public)",
)
async def published_results(meeting_id: IdPath, app: AppDep) -> TallyView:
    return _tally(public.published_results(app, meeting_id), public=True)
