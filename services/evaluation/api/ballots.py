"""Ballots on the spot: the page a slip's QR code points at, casting (a valid token
is all it takes) and the slip's QR code.

The token never travels in a URL path or query: the QR code puts it in the
fragment (``/ballots#<token>``), which a browser keeps to itself, and every request
that needs it carries it in a JSON body. So no access log, proxy log or error body
sees a token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.evaluation.api.deps import AppDep
from services.evaluation.api.models import (
    REFUSALS,
    BallotView,
    CastRequest,
    CastView,
    TokenRequest,
)
from services.evaluation.api.slips import ballot_page, ballot_url, qr_svg
from services.evaluation.application import ballots
from shared.auth import OptionalActor
from shared.events.evaluation import AgencyRating, BallotContent, RaisedOnBallot

router = APIRouter(tags=["ballots 选票"], responses=REFUSALS)


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
async def ballot(body: TokenRequest, app: AppDep) -> BallotView:
    standing = ballots.look_up_ballot(app, body.token)
    return BallotView(
        meeting_id=standing.meeting_id,
        place=standing.place,
        held_on=standing.held_on,
        state=standing.state,
        agencies=list(standing.agencies),
    )


@router.post(
    "/ballots/cast",
    response_model=CastView,
    summary="投票（手机扫码或计票员录入）/ Cast a ballot (phone or teller)",
)
async def cast(body: CastRequest, actor: OptionalActor, app: AppDep) -> CastView:
    content = BallotContent(
        ratings=tuple(
            AgencyRating(agency_id=r.agency_id, rating=r.rating, comment=r.comment)
            for r in body.ratings
        ),
        comments=body.comments,
        problems=tuple(
            RaisedOnBallot(agency_id=p.agency_id, description=p.description) for p in body.problems
        ),
    )
    meeting_id = await ballots.cast_ballot(app, actor, body.token, content)
    return CastView(meeting_id=meeting_id)


@router.post(
    "/ballots/qr.svg",
    response_class=Response,
    summary="选票二维码（SVG）/ The slip's QR code (SVG)",
)
async def ballot_qr(body: TokenRequest, request: Request, app: AppDep) -> Response:
    ballots.check_token(app, body.token)
    url = ballot_url(str(request.base_url).rstrip("/"), body.token)
    return Response(content=qr_svg(url), media_type="image/svg+xml")
