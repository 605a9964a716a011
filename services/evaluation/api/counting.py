"""Ballots issued, printed, spoiled; the close (box opened, batch published, box key
shredded), the tally re-verified, publication and the public results."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from services.evaluation.api.context import (
    EvaluationDep,
    office_meeting,
)
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
from services.evaluation.domain.audit import recompute_tally
from services.evaluation.domain.commands import (
    CloseMeeting,
    IssueBallots,
    PublishResults,
    SpoilBallot,
)
from services.evaluation.domain.meeting import MeetingState
from services.evaluation.domain.tokens import hash_token, new_token
from services.evaluation.sealing import new_shuffle_seed
from shared.auth import CurrentActor
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    BallotChannel,
    BallotsIssued,
    BallotTokenSpent,
)
from shared.text import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


@router.post(
    "/meetings/{meeting_id}/ballots",
    status_code=status.HTTP_201_CREATED,
    response_model=BallotsIssuedView,
    summary="按到会人数发放一次性选票（开始投票）/ Issue one-time ballots, one per attendee",
)
async def issue_ballots(
    meeting_id: IdPath, request: Request, actor: CurrentActor, ev: EvaluationDep
) -> BallotsIssuedView:
    state = office_meeting(ev, meeting_id, actor)
    attendees = len(state.attendance.attendee_entity_ids) if state.attendance else 0
    # Randomness comes from outside the decider; the count is checked there.
    tokens = tuple(new_token() for _ in range(max(attendees, 1)))
    await ev.execute(
        meeting_id, IssueBallots(tokens=tokens, at=ev.clock.now()), actor.as_extension(), state
    )
    await ev.sealer.prepare(meeting_id)  # before any token is handed out
    base = str(request.base_url).rstrip("/")
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
    meeting_id: IdPath, body: SlipsRequest, request: Request, actor: CurrentActor, ev: EvaluationDep
) -> HTMLResponse:
    state = office_meeting(ev, meeting_id, actor)
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
    meeting_id: IdPath, body: SpoilRequest, actor: CurrentActor, ev: EvaluationDep
) -> MeetingView:
    state = office_meeting(ev, meeting_id, actor)
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
async def close_meeting(meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep) -> TallyView:
    """Opens the box (its key unseals every record), publishes the valid contents as
    one shuffled batch with the tally, then shreds the box key: from then on the
    per-cast records can never be read, nor linked to the spent tokens."""
    state = office_meeting(ev, meeting_id, actor)
    assert state.scheduled is not None
    rules = ev.directory.rules(state.scheduled.campaign_id)
    opened = await ev.sealer.open(meeting_id, state.box) if state.box else ()
    command = CloseMeeting(
        lookback_dissatisfaction_rate=rules.lookback_dissatisfaction_rate,
        lookback_problems_raised=rules.lookback_problems_raised,
        min_valid_ballots=rules.min_valid_ballots,
        opened_box=opened,
        shuffle_seed=new_shuffle_seed(),
        at=ev.clock.now(),
    )
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    await ev.sealer.shred_box(meeting_id)
    view = tally_view(ev.meeting(meeting_id))
    assert view is not None
    return view


@router.get(
    "/meetings/{meeting_id}/tally/verify",
    response_model=TallyCheckView,
    summary="由事件重新计票并核对 / Recompute the tally from the events and compare",
)
async def verify_tally(
    meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep
) -> TallyCheckView:
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
    meeting_id = state.scheduled.meeting_id
    issued = BallotsIssued(
        meeting_id=meeting_id,
        count=len(state.token_hashes),
        token_hashes=tuple(sorted(state.token_hashes)),
        issued_at=state.tallied.tallied_at,
    )
    legacy = {c.token_hash for c in state.legacy_casts}
    spent = [
        BallotTokenSpent(
            meeting_id=meeting_id,
            token_hash=h,
            channel=BallotChannel.phone,
            spent_at=state.tallied.tallied_at,
        )
        for h in sorted(state.spent - legacy)
    ]
    opened = [state.opened] if state.opened is not None else []
    return [
        state.scheduled,
        issued,
        *state.legacy_casts,
        *spent,
        *state.spoiled,
        *opened,
        state.tallied,
    ]


@router.post(
    "/meetings/{meeting_id}/publish",
    response_model=TallyView,
    summary="向社会公布评议结果 / Publish the results",
)
async def publish(meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep) -> TallyView:
    state = office_meeting(ev, meeting_id, actor)
    await ev.execute(meeting_id, PublishResults(at=ev.clock.now()), actor.as_extension(), state)
    # Again, in case the service stopped between the close and its shredding.
    await ev.sealer.shred_box(meeting_id)
    view = tally_view(ev.meeting(meeting_id))
    assert view is not None
    return view


@router.get(
    "/meetings/{meeting_id}/results",
    response_model=TallyView,
    summary="已公布的评议结果（公开）/ Published results (public)",
)
async def published_results(meeting_id: IdPath, ev: EvaluationDep) -> TallyView:
    state = ev.meeting(meeting_id)
    view = tally_view(state, public=True)
    if state.published is None or view is None:
        raise Conflict(
            "评议结果尚未公布",
            "the results are not published yet",
            field="status",
            code="not_published",
        )
    return view
