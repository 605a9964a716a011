"""The rectification tracker: items per agency and region, deadlines, actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.auth import Role

from ..backend import BackendError
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect, refused
from .common import backend, officer

router = APIRouter()

DUE_SOON_DAYS = 7
STILL_OPEN = {"open", "in_progress", "returned"}


def deadline_mark(item: dict[str, Any], today: date) -> str:
    """``overdue``, ``due_soon`` or empty, for the badge beside the deadline."""
    if item["status"] not in STILL_OPEN:
        return ""
    if item.get("overdue") or date.fromisoformat(item["due_on"]) < today:
        return "overdue"
    if date.fromisoformat(item["due_on"]) <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


@router.get("/workbench/items", response_class=HTMLResponse)
async def tracker(request: Request) -> HTMLResponse:
    actor, token = officer(request)
    query = request.query_params
    params: dict[str, Any] = {
        "status": query.get("status") or None,
        "overdue": "true" if query.get("overdue") else None,
        "limit": 200,
    }
    if actor.role is Role.agency_staff:
        path = f"/agencies/{actor.organisation}/items"
    elif query.get("agency_id"):
        path = f"/agencies/{query['agency_id']}/items"
    else:
        path = f"/regions/{query.get('region_code') or actor.region_code}/items"
    found = await backend(request).get("rectification", path, token, **params)
    today = request.app.state.clock.now().date()
    items = [{**item, "mark": deadline_mark(item, today)} for item in found["items"]]
    return page(request, "items.html", items=items, total=found["total"], query=query)


@router.get("/workbench/items/{item_id}", response_class=HTMLResponse)
async def item_detail(item_id: str, request: Request) -> HTMLResponse:
    _, token = officer(request)
    item = await backend(request).get("rectification", f"/items/{item_id}", token)
    item["mark"] = deadline_mark(item, request.app.state.clock.now().date())
    return page(request, "item.html", item=item)


ACTIONS: dict[str, str] = {
    "progress": "/progress",
    "completion": "/completion",
    "verification": "/verification",
    "return": "/return",
    "extension": "/extension-request",
    "approve": "/extension-request/approval",
    "decline": "/extension-request/decline",
}


@router.post("/workbench/items/{item_id}/{action}")
async def act(item_id: str, action: str, request: Request) -> RedirectResponse:
    _, token = officer(request)
    back = f"/workbench/items/{item_id}"
    if action not in ACTIONS:
        return redirect(back)
    form = await read_form(request)
    bodies: dict[str, dict[str, Any] | None] = {
        "progress": {"note": form.get("note"), "percent": int(form.get("percent") or 0)},
        "completion": {"measures": form.get("measures")},
        "return": {"reasons": form.get("reasons")},
        "extension": {"due_on": form.get("due_on"), "reason": form.get("reason")},
        "decline": {"reasons": form.get("reasons")},
    }
    try:
        await backend(request).post(
            "rectification", f"/items/{item_id}{ACTIONS[action]}", token, bodies.get(action)
        )
    except BackendError as error:
        return refused(request, back, error)
    return redirect(back, message=translator(pick_lang(request))("intake.done"))
