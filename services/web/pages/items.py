"""The rectification tracker: items per agency and region, deadlines, actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.actors import Role

from ..backend import BackendError
from ..forms import Form, read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect, refusal_page, refused
from .common import backend, officer, path_id

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
        path = f"/agencies/{path_id(query['agency_id'], 'agency_id')}/items"
    else:
        path = f"/regions/{query.get('region_code') or actor.region_code}/items"
    found = await backend(request).get("rectification", path, token, **params)
    today = request.app.state.clock.now().date()
    items = [{**item, "mark": deadline_mark(item, today)} for item in found["items"]]
    return page(request, "items.html", items=items, total=found["total"], query=query)


@router.get("/workbench/items/{item_id}", response_class=HTMLResponse)
async def item_detail(item_id: str, request: Request) -> HTMLResponse:
    _, token = officer(request)
    item_id = path_id(item_id, "item_id")
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


def action_body(action: str, form: Form) -> dict[str, Any] | None:
    """What the service takes for ``action``; a 422 refusal naming a field that is not a
    whole number."""
    if action == "progress":
        return {"note": form.get("note"), "percent": form.integer("percent", default=0)}
    fields = {
        "completion": ("measures",),
        "return": ("reasons",),
        "extension": ("due_on", "reason"),
        "decline": ("reasons",),
    }
    if action not in fields:
        return None
    return {name: form.get(name) for name in fields[action]}


@router.post("/workbench/items/{item_id}/{action}", response_model=None)
async def act(item_id: str, action: str, request: Request) -> HTMLResponse | RedirectResponse:
    _, token = officer(request)
    item_id = path_id(item_id, "item_id")
    back = f"/workbench/items/{item_id}"
    if action not in ACTIONS:
        return redirect(back)
    form = await read_form(request)
    try:
        body = action_body(action, form)
    except BackendError as error:
        return refusal_page(request, error.status, error.zh, error.en)
    try:
        await backend(request).post(
            "rectification", f"/items/{item_id}{ACTIONS[action]}", token, body
        )
    except BackendError as error:
        return refused(request, back, error)
    return redirect(back, message=translator(pick_lang(request))("intake.done"))
