"""The on-site ballot page a representative opens from the QR code. The token is
never in a URL this server sees: it comes in the fragment of the QR code's link and
is posted in form bodies from there on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..backend import BackendError
from ..forms import Form, read_form
from ..render import page
from .common import backend

router = APIRouter()

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
REFUSAL_KEYS = {
    "unknown": "ballot.unknown",
    "cast": "ballot.used",
    "spoiled": "ballot.spoiled",
    "closed": "ballot.closed",
}


STATE_BY_CODE = {
    "unknown_token": "unknown",
    "already_cast": "cast",
    "ballot_spoiled": "spoiled",
    "meeting_closed": "closed",
}


def _state_of(error: BackendError) -> str:
    if error.status in (403, 404) or (error.status == 422 and error.field == "token"):
        return "unknown"
    return STATE_BY_CODE.get(error.code, "closed")


def _closed_page(request: Request, state: str, status_code: int) -> HTMLResponse:
    if status_code >= 500:
        raise BackendError(
            status_code, "系统暂时无法访问，请稍后再试", "the system is unavailable; try again soon"
        )
    return page(
        request, "ballot_done.html", status_code=status_code, key=REFUSAL_KEYS[state], ok=False
    )


@router.get("/ballot", response_class=HTMLResponse)
async def ballot_entry(request: Request) -> HTMLResponse:
    """The page a slip's QR code opens (``/ballot#<token>``): the browser keeps the
    fragment to itself, ``/static/ballot.js`` moves it into this form and posts it, so
    the token reaches the server only in a POST body. A teller or a phone without
    scripts types the printed code into the same form."""
    return page(request, "ballot_entry.html", error=None)


async def _ballot_view(request: Request, token: str) -> dict[str, Any]:
    view: dict[str, Any] = await backend(request).post(
        "evaluation", "/ballots/lookup", body={"token": token}
    )
    return view


@router.post("/ballot", response_class=HTMLResponse)
async def ballot(request: Request) -> HTMLResponse:
    form = await read_form(request)
    token = form.get("token")
    if not token:
        return page(request, "ballot_entry.html", 422, error="ballot.code_missing")
    try:
        view = await _ballot_view(request, token)
    except BackendError as error:
        if error.status == 422:
            return page(request, "ballot_entry.html", 422, error="ballot.unknown")
        return _closed_page(request, _state_of(error), error.status)
    if view["state"] != "open":
        return _closed_page(
            request, view["state"] if view["state"] in REFUSAL_KEYS else "closed", 409
        )
    return page(request, "ballot.html", ballot=view, token=token, ratings=RATINGS, error=None)


def cast_body(form: Form, agency_ids: list[str]) -> dict[str, Any]:
    problems = []
    for line in form.get("problems").splitlines():
        agency, _, text = line.partition(":")
        if text.strip():
            problems.append({"agency_id": agency.strip(), "description": text.strip()})
    return {
        "ratings": [
            {
                "agency_id": agency,
                "rating": form.get(f"rating-{agency}"),
                "comment": form.get(f"comment-{agency}"),
            }
            for agency in agency_ids
        ],
        "comments": form.get("comments"),
        "problems": problems,
    }


@router.post("/ballot/cast", response_class=HTMLResponse)
async def cast(request: Request) -> HTMLResponse:
    api = backend(request)
    form = await read_form(request)
    token = form.get("token")
    agency_ids = form.getlist("agency")
    try:
        await api.post(
            "evaluation", "/ballots/cast", body={"token": token, **cast_body(form, agency_ids)}
        )
    except BackendError as error:
        if error.status == 422 and error.field != "token":
            view = await _ballot_view(request, token)
            return page(
                request, "ballot.html", 422, ballot=view, token=token, ratings=RATINGS, error=error
            )
        return _closed_page(request, _state_of(error), error.status)
    return page(request, "ballot_done.html", key="ballot.thanks", ok=True)
