"""Ballots on the spot: the page a slip's QR code points at, casting (a valid token
is all it takes) and the slip's QR code.

The token never travels in a URL path or query: the QR code puts it in the
fragment (``/ballots#<token>``), which a browser keeps to itself, and every request
that needs it carries it in a JSON body. So no access log, proxy log or error body
sees a token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.evaluation.api.context import EvaluationDep, require_office_for
from services.evaluation.api.models import (
    REFUSALS,
    BallotView,
    CastRequest,
    CastView,
    TokenRequest,
)
from services.evaluation.api.slips import ballot_page, ballot_url, qr_svg
from services.evaluation.domain.commands import CastBallot
from services.evaluation.domain.meeting import MeetingStatus
from services.evaluation.domain.tokens import hash_token
from services.evaluation.sealing import BoxAlreadyShredded
from shared.actors import Role
from shared.auth import OptionalActor
from shared.errors import Conflict
from shared.events.evaluation import AgencyRating, BallotChannel, BallotContent, RaisedOnBallot

router = APIRouter(tags=["ballots 选票"], responses=REFUSALS)

# Casting is recorded without the caller's identity: a voter is never an actor.
ANONYMOUS_VOTER = "public:anonymous-voter"


@router.get(
    "/ballots",
    response_class=HTMLResponse,
    summary="选票页面（二维码指向此处，令牌在 # 之后）/ The ballot page a QR code opens",
)
async def ballot_html() -> HTMLResponse:
    """The same page for every ballot: its script reads the token from the fragment."""
    return HTMLResponse(ballot_page())


@router.post(
    "/ballots/lookup",
    response_model=BallotView,
    summary="查询选票状态 / What a ballot token opens",
)
async def ballot(body: TokenRequest, ev: EvaluationDep) -> BallotView:
    _, state = ev.meeting_of_token(body.token)
    meeting = state.scheduled
    assert meeting is not None
    token_hash = hash_token(body.token)
    if token_hash in state.spoiled_hashes:
        where = "spoiled"
    elif token_hash in state.spent:
        where = "cast"
    elif state.status is not MeetingStatus.open:
        where = "closed"
    else:
        where = "open"
    return BallotView(
        meeting_id=meeting.meeting_id,
        place=meeting.place,
        held_on=meeting.held_on,
        state=where,
        agencies=list(meeting.agencies),
    )


@router.post(
    "/ballots/cast",
    response_model=CastView,
    summary="投票（手机扫码或计票员录入）/ Cast a ballot (phone or teller)",
)
async def cast(body: CastRequest, actor: OptionalActor, ev: EvaluationDep) -> CastView:
    meeting_id, state = ev.meeting_of_token(body.token)
    teller = actor is not None and actor.role is Role.legal_office
    if teller and actor is not None and state.scheduled is not None:
        require_office_for(actor, state.scheduled.region_code)
    content = BallotContent(
        ratings=tuple(
            AgencyRating(agency_id=r.agency_id, rating=r.rating, comment=r.comment.strip())
            for r in body.ratings
        ),
        comments=body.comments.strip(),
        problems=tuple(
            RaisedOnBallot(agency_id=p.agency_id, description=p.description.strip())
            for p in body.problems
        ),
    )
    sealed_content, sealed = content, ""
    if state.status is MeetingStatus.open:  # otherwise the decider refuses; nothing to seal
        try:
            sealed_content, sealed = await ev.sealer.seal(
                meeting_id, hash_token(body.token), content
            )
        except BoxAlreadyShredded as exc:
            raise Conflict(
                "评议会已结束投票，不能投票",
                "voting at this meeting is closed; cannot cast a ballot",
                field="token",
                code="meeting_closed",
            ) from exc
    command = CastBallot(
        token=body.token,
        content=sealed_content,
        sealed=sealed,
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


@router.post(
    "/ballots/qr.svg",
    response_class=Response,
    summary="选票二维码（SVG）/ The slip's QR code (SVG)",
)
async def ballot_qr(body: TokenRequest, request: Request, ev: EvaluationDep) -> Response:
    ev.meeting_of_token(body.token)
    url = ballot_url(str(request.base_url).rstrip("/"), body.token)
    return Response(content=qr_svg(url), media_type="image/svg+xml")
