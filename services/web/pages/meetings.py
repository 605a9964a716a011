"""Evaluation meetings: schedule, freeze, draw, verify, check-in, ballots, close, results."""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from ..backend import BackendError
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect, refused
from .common import backend, officer

router = APIRouter()


def ballot_url(request: Request, token: str) -> str:
    origin = request.app.state.settings.web_public_origin or str(request.base_url).rstrip("/")
    # After '#': the browser never sends the fragment, so no log on the way sees it.
    return f"{origin}/ballot#{token}"


def qr_svg(url: str) -> Markup:
    return Markup(segno.make(url, error="m").svg_inline(scale=4, title=url))


@router.get("/workbench/meetings", response_class=HTMLResponse)
async def meeting_list(request: Request) -> HTMLResponse:
    _, token = officer(request)
    meetings = await backend(request).get("evaluation", "/meetings", token)
    meetings.sort(key=lambda m: str(m["held_on"]), reverse=True)
    return page(
        request,
        "meetings.html",
        meetings=meetings,
        campaign_id=request.app.state.settings.default_campaign_id,
    )


@router.post("/workbench/meetings")
async def schedule(request: Request) -> RedirectResponse:
    actor, token = officer(request)
    form = await read_form(request)
    try:
        body: dict[str, Any] = {
            "region_code": form.get("region_code") or actor.region_code,
            "agency_ids": [a.strip() for a in form.get("agency_ids").split(",") if a.strip()],
            "held_on": form.get("held_on"),
            "place": form.get("place"),
            "representatives": form.integer("representatives", default=0),
            "reason_for_fewer": form.get("reason_for_fewer"),
        }
        for optional in ("meeting_id", "campaign_id"):
            if form.get(optional):
                body[optional] = form.get(optional)
        meeting = await backend(request).post("evaluation", "/meetings", token, body)
    except BackendError as error:
        return refused(request, "/workbench/meetings", error)
    return redirect(f"/workbench/meetings/{meeting['meeting_id']}")


async def _detail(
    request: Request,
    meeting_id: str,
    *,
    names: list[dict[str, Any]] | None = None,
    comments: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The meeting page. The check-in list shows pseudonymous ids; names appear only
    in the answer to an explicit, recorded reading (``names``), never on a plain view."""
    _, token = officer(request)
    api = backend(request)
    meeting = await api.get("evaluation", f"/meetings/{meeting_id}", token)
    representatives: list[dict[str, Any]] = []
    verification = None
    if meeting.get("seed"):
        representatives = names or await api.get(
            "evaluation", f"/meetings/{meeting_id}/representatives", token
        )
        verification = await api.get("evaluation", f"/meetings/{meeting_id}/draw/verify")
    lookbacks = [
        lb
        for lb in await api.get("evaluation", "/lookbacks", token)
        if lb["meeting_id"] == meeting_id
    ]
    agency_names = {a["agency_id"]: a.get("name", a["agency_id"]) for a in meeting["agencies"]}
    return page(
        request,
        "meeting.html",
        meeting=meeting,
        representatives=representatives,
        names_shown=names is not None,
        comments=comments,
        verification=verification,
        lookbacks=lookbacks,
        names=agency_names,
    )


@router.get("/workbench/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting_detail(meeting_id: str, request: Request) -> HTMLResponse:
    return await _detail(request, meeting_id)


async def _read(
    request: Request, meeting_id: str, what: str
) -> tuple[Any, None] | tuple[None, RedirectResponse]:
    _, token = officer(request)
    form = await read_form(request)
    try:
        found = await backend(request).post(
            "evaluation",
            f"/meetings/{meeting_id}/{what}/read",
            token,
            {"purpose": form.get("purpose")},
        )
    except BackendError as error:
        return None, refused(request, f"/workbench/meetings/{meeting_id}", error)
    return found, None


@router.post("/workbench/meetings/{meeting_id}/sheet", response_model=None)
async def read_sheet(meeting_id: str, request: Request) -> HTMLResponse | RedirectResponse:
    """Names and contacts, once, behind a recorded ``RepresentativesSheetRead``."""
    sheet, refusal = await _read(request, meeting_id, "representatives")
    if refusal is not None:
        return refusal
    return await _detail(request, meeting_id, names=sheet)


@router.post("/workbench/meetings/{meeting_id}/comments", response_model=None)
async def read_comments(meeting_id: str, request: Request) -> HTMLResponse | RedirectResponse:
    """The ballot comments, once, behind a recorded ``BallotCommentsRead``."""
    comments, refusal = await _read(request, meeting_id, "comments")
    if refusal is not None:
        return refusal
    return await _detail(request, meeting_id, comments=comments)


@router.post("/workbench/meetings/{meeting_id}/ballots", response_model=None)
async def issue_ballots(meeting_id: str, request: Request) -> HTMLResponse | RedirectResponse:
    """Tokens come back once: the slips are rendered right here, to be printed now."""
    _, token = officer(request)
    back = f"/workbench/meetings/{meeting_id}"
    try:
        issued = await backend(request).post("evaluation", f"/meetings/{meeting_id}/ballots", token)
    except BackendError as error:
        return refused(request, back, error)
    slips = []
    for number, ballot in enumerate(issued["ballots"], start=1):
        value = ballot["token"]
        url = ballot_url(request, value)
        slips.append({"number": number, "token": value, "url": url, "qr": qr_svg(url)})
    return page(request, "slips.html", meeting_id=meeting_id, slips=slips)


@router.post("/workbench/meetings/{meeting_id}/{action}")
async def act(meeting_id: str, action: str, request: Request) -> RedirectResponse:
    _, token = officer(request)
    back = f"/workbench/meetings/{meeting_id}"
    form = await read_form(request)
    path = f"/meetings/{meeting_id}"
    body: dict[str, Any] | None = None
    if action == "freeze":
        path += "/pool/freeze"
    elif action == "draw":
        path += "/draw"
        body = {
            "randomness": form.get("randomness"),
            "randomness_source": form.get("randomness_source"),
        }
    elif action == "attendance":
        path += "/attendance"
        body = {"attendee_entity_ids": form.getlist("attendee")}
    elif action == "replace":
        path += "/replacements"
        body = {"entity_id": form.get("entity_id"), "reason": form.get("reason")}
    elif action == "spoil":
        path += "/ballots/spoil"
        body = {"token": form.get("token"), "reason": form.get("reason")}
    elif action in ("close", "publish"):
        path += f"/{action}"
    elif action == "lookback":
        path += f"/lookbacks/{form.get('agency_id')}/complete"
        body = {"findings": form.get("findings")}
    else:
        return redirect(back)
    try:
        await backend(request).post("evaluation", path, token, body)
    except BackendError as error:
        return refused(request, back, error)
    return redirect(back, message=translator(pick_lang(request))("intake.done"))
