"""The on-site ballot page a representative opens from the QR code."""

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
    if error.status in (403, 404):
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


@router.get("/ballot/{token}", response_class=HTMLResponse)
async def ballot(token: str, request: Request) -> HTMLResponse:
    try:
        view = await backend(request).get("evaluation", f"/ballots/{token}")
    except BackendError as error:
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


@router.post("/ballot/{token}", response_class=HTMLResponse)
async def cast(token: str, request: Request) -> HTMLResponse:
    api = backend(request)
    form = await read_form(request)
    agency_ids = form.getlist("agency")
    try:
        await api.post("evaluation", f"/ballots/{token}", body=cast_body(form, agency_ids))
    except BackendError as error:
        if error.status == 422:
            view = await api.get("evaluation", f"/ballots/{token}")
            return page(
                request, "ballot.html", 422, ballot=view, token=token, ratings=RATINGS, error=error
            )
        return _closed_page(request, _state_of(error), error.status)
    return page(request, "ballot_done.html", key="ballot.thanks", ok=True)
