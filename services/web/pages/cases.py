"""Cases and referrals with their acknowledgement status; exposure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.events.rectification import CaseKind, CaseOrigin, ReferralBody

from ..backend import BackendError
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect, refused
from .common import backend, officer, path_id

router = APIRouter()

CASE_KINDS = [k.value for k in CaseKind]
CASE_ORIGINS = [o.value for o in CaseOrigin]
REFERRAL_BODIES = [b.value for b in ReferralBody]


@router.get("/workbench/cases", response_class=HTMLResponse)
async def case_list(request: Request) -> HTMLResponse:
    actor, token = officer(request)
    found = await backend(request).get(
        "rectification", "/cases", token, region_code=actor.region_code, limit=200
    )
    return page(request, "cases.html", cases=found["cases"], kinds=CASE_KINDS, origins=CASE_ORIGINS)


@router.post("/workbench/cases")
async def open_case(request: Request) -> RedirectResponse:
    _, token = officer(request)
    form = await read_form(request)
    body: dict[str, Any] = {
        "kind": form.get("kind"),
        "origin": form.get("origin"),
        "title": form.get("title"),
        "summary": form.get("summary"),
        "problem_ids": [p.strip() for p in form.get("problem_ids").split(",") if p.strip()],
    }
    try:
        case = await backend(request).post("rectification", "/cases", token, body)
    except BackendError as error:
        return refused(request, "/workbench/cases", error)
    return redirect(f"/workbench/cases/{case['case_id']}")


@router.get("/workbench/cases/{case_id}", response_class=HTMLResponse)
async def case_detail(case_id: str, request: Request) -> HTMLResponse:
    _, token = officer(request)
    case_id = path_id(case_id, "case_id")
    case = await backend(request).get("rectification", f"/cases/{case_id}", token)
    return page(request, "case.html", case=case, bodies=REFERRAL_BODIES)


@router.post("/workbench/cases/{case_id}/{action}")
async def act(case_id: str, action: str, request: Request) -> RedirectResponse:
    _, token = officer(request)
    case_id = path_id(case_id, "case_id")
    back = f"/workbench/cases/{case_id}"
    form = await read_form(request)
    path: str
    body: dict[str, Any]
    if action == "refer":
        path, body = (
            f"/cases/{case_id}/referrals",
            {
                "body": form.get("body"),
                "receiving_body": form.get("receiving_body"),
                "reason": form.get("reason"),
            },
        )
    elif action == "acknowledge":
        try:
            referral = path_id(form.get("referral_id"), "referral_id")
        except BackendError as error:
            return refused(request, back, error)
        path, body = (
            f"/cases/{case_id}/referrals/{referral}/acknowledgement",
            {
                "reference_no": form.get("reference_no"),
                "note": form.get("note"),
            },
        )
    elif action == "expose":
        path, body = (
            f"/cases/{case_id}/exposure",
            {
                "headline": form.get("headline"),
                "summary": form.get("summary"),
                "channel": form.get("channel"),
            },
        )
    else:
        return redirect(back)
    try:
        await backend(request).post("rectification", path, token, body)
    except BackendError as error:
        return refused(request, back, error)
    return redirect(back, message=translator(pick_lang(request))("intake.done"))
