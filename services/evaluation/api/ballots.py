"""Ballots on the spot: the page a slip's QR code points at, casting (a valid token
is all it takes) and the slip's QR code."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.evaluation.api.context import EvaluationDep, require_office_for
from services.evaluation.api.models import REFUSALS, BallotView, CastRequest, CastView
from services.evaluation.api.slips import ballot_form, ballot_url, qr_svg
from services.evaluation.domain.commands import CastBallot
from services.evaluation.domain.meeting import MeetingStatus
from services.evaluation.domain.tokens import hash_token
from shared.auth import OptionalActor, Role
from shared.events.evaluation import AgencyRating, BallotChannel, RaisedOnBallot
from shared.text import IdPath

router = APIRouter(tags=["ballots 选票"], responses=REFUSALS)

# Casting is recorded without the caller's identity: a voter is never an actor.
ANONYMOUS_VOTER = "public:anonymous-voter"


@router.get(
    "/ballots/{token}",
    response_model=BallotView,
    summary="选票（二维码指向此处）/ The ballot a slip's QR code points at",
)
async def ballot(token: IdPath, request: Request, ev: EvaluationDep) -> BallotView | HTMLResponse:
    """JSON for programs; a phone's browser (``Accept: text/html``) gets a form."""
    _, state = ev.meeting_of_token(token)
    meeting = state.scheduled
    assert meeting is not None
    token_hash = hash_token(token)
    if token_hash in state.spoiled_hashes:
        where = "spoiled"
    elif token_hash in state.cast_hashes:
        where = "cast"
    elif state.status is not MeetingStatus.open:
        where = "closed"
    else:
        where = "open"
    view = BallotView(
        meeting_id=meeting.meeting_id,
        place=meeting.place,
        held_on=meeting.held_on,
        state=where,
        agencies=list(meeting.agencies),
    )
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(ballot_form(view))
    return view


@router.post(
    "/ballots/{token}",
    response_model=CastView,
    summary="投票（手机扫码或计票员录入）/ Cast a ballot (phone or teller)",
)
async def cast(
    token: IdPath, body: CastRequest, actor: OptionalActor, ev: EvaluationDep
) -> CastView:
    meeting_id, state = ev.meeting_of_token(token)
    teller = actor is not None and actor.role is Role.legal_office
    if teller and actor is not None and state.scheduled is not None:
        require_office_for(actor, state.scheduled.region_code)
    command = CastBallot(
        token=token,
        ratings=tuple(
            AgencyRating(agency_id=r.agency_id, rating=r.rating, comment=r.comment.strip())
            for r in body.ratings
        ),
        comments=body.comments.strip(),
        problems=tuple(
            RaisedOnBallot(agency_id=p.agency_id, description=p.description.strip())
            for p in body.problems
        ),
        channel=BallotChannel.teller if teller else BallotChannel.phone,
        at=ev.clock.now(),
    )
    recorded_actor = (
        actor.as_extension()
        if teller and actor is not None
        else f"{ANONYMOUS_VOTER}:{state.scheduled.region_code if state.scheduled else ''}"
    )
    await ev.execute(meeting_id, command, recorded_actor, state)
    return CastView(meeting_id=meeting_id)


@router.get(
    "/ballots/{token}/qr.svg",
    response_class=Response,
    summary="选票二维码（SVG）/ The slip's QR code (SVG)",
)
async def ballot_qr(token: IdPath, request: Request, ev: EvaluationDep) -> Response:
    ev.meeting_of_token(token)
    url = ballot_url(str(request.base_url).rstrip("/"), token)
    return Response(content=qr_svg(url), media_type="image/svg+xml")
