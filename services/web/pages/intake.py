"""The intake queue: tips of the officer's region, triage and verification actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.vocabulary import KINDS, Severity

from ..backend import BackendError
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect, refused
from .common import backend, officer, path_id

router = APIRouter()

# The queue shows one page; intake orders it (open tips first, oldest first).
QUEUE_LENGTH = 200


@router.get("/workbench/tips", response_class=HTMLResponse)
async def queue(request: Request) -> HTMLResponse:
    _, token = officer(request)
    status = request.query_params.get("status", "")
    queue: dict[str, Any] = await backend(request).get(
        "intake", "/tips", token, status=status or None, limit=QUEUE_LENGTH
    )
    return page(
        request, "intake_queue.html", tips=queue["tips"], total=queue["total"], status=status
    )


@router.get("/workbench/tips/{tip_id}", response_class=HTMLResponse)
async def tip_detail(tip_id: str, request: Request) -> HTMLResponse:
    _, token = officer(request)
    tip_id = path_id(tip_id, "tip_id")
    tip = await backend(request).get("intake", f"/tips/{tip_id}", token)
    return page(
        request,
        "intake_tip.html",
        tip=tip,
        words=None,
        kinds=KINDS,
        severities=list(Severity),
    )


@router.post("/workbench/tips/{tip_id}/text", response_class=HTMLResponse, response_model=None)
async def tip_text(tip_id: str, request: Request) -> HTMLResponse | RedirectResponse:
    """The tip's sealed words, shown once, after intake has recorded who read them and
    why (the page is not kept: reading again is recorded again)."""
    _, token = officer(request)
    form = await read_form(request)
    back = f"/workbench/tips/{tip_id}"
    try:
        words = await backend(request).post(
            "intake", f"/tips/{tip_id}/text/decrypt", token, {"purpose": form.get("purpose")}
        )
    except BackendError as error:
        return refused(request, back, error)
    tip = await backend(request).get("intake", f"/tips/{tip_id}", token)
    response = page(
        request, "intake_tip.html", tip=tip, words=words, kinds=KINDS, severities=list(Severity)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


ACTIONS = ("accept", "reject", "assign", "transfer", "substantiate", "unsubstantiate")


@router.post("/workbench/tips/{tip_id}/{action}")
async def act(tip_id: str, action: str, request: Request) -> RedirectResponse:
    _, token = officer(request)
    tip_id = path_id(tip_id, "tip_id")
    back = f"/workbench/tips/{tip_id}"
    if action not in ACTIONS:
        return redirect(back)
    form = await read_form(request)
    body: dict[str, Any]
    if action == "accept":
        body = {"note": form.get("note")}
    elif action == "reject":
        body = {"reason": form.get("reason"), "referred_to": form.get("referred_to")}
    elif action == "assign":
        body = {"assignee": form.get("assignee"), "note": form.get("note")}
    elif action == "transfer":
        body = {"to_region_code": form.get("to_region_code"), "reason": form.get("reason")}
    elif action == "substantiate":
        body = {
            "findings": form.get("findings"),
            "problems": [
                {
                    "agency_id": form.get("agency_id") or None,
                    "category": form.get("kind").partition(":")[0],
                    "kind": form.get("kind").partition(":")[2],
                    "severity": form.get("severity"),
                    "summary": form.get("summary"),
                }
            ],
        }
    else:
        body = {"reason": form.get("reason")}
    try:
        await backend(request).post("intake", f"/tips/{tip_id}/{action}", token, body)
    except BackendError as error:
        return refused(request, back, error)
    return redirect(back, message=translator(pick_lang(request))("intake.done"))
