"""Public pages: home, the tip form and its receipt, lookup, results, cases, channels."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from shared.ids import unique_id
from shared.regions import jiangxi
from shared.vocabulary import Power

from ..backend import BackendError
from ..forms import Form, read_form
from ..render import page
from .channels import CHANNELS
from .common import backend, forwarded_for

router = APIRouter()


def region_choices() -> list[tuple[str, str]]:
    regions = jiangxi()
    choices = []
    for city in regions.cities():
        choices.append((city.code, city.name))
        choices.extend((c.code, f"{city.name} · {c.name}") for c in regions.children(city.code))
    return choices


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return page(request, "home.html")


async def _agencies(request: Request) -> list[dict[str, Any]]:
    try:
        found: list[dict[str, Any]] = await backend(request).get("intake", "/agencies")
    except BackendError:
        return []
    return sorted(found, key=lambda a: (a["region_code"], a["agency_id"]))


async def _tip_form(
    request: Request, form: Form | None, error: BackendError | None
) -> HTMLResponse:
    return page(
        request,
        "tip_form.html",
        status_code=422 if error else 200,
        regions=region_choices(),
        agencies=await _agencies(request),
        powers=list(Power),
        form=form or Form({}),
        error=error,
        today=date.today().isoformat(),
    )


@router.get("/tip", response_class=HTMLResponse)
async def tip_form(request: Request) -> HTMLResponse:
    return await _tip_form(request, None, None)


def submission_of(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "website",
        "region_code": form.get("region_code"),
        "description": form.get("description"),
        "occurred_on": form.get("occurred_on"),
        "agency_id": form.get("agency_id") or None,
        "agency_text": form.get("agency_text") or None,
        "power": form.get("power") or None,
    }
    if form.get("anonymous") != "yes":
        contact = {k: form.get(k) or None for k in ("name", "phone", "email")}
        if any(contact.values()):
            body["contact"] = contact
    return body


@router.post("/tip", response_class=HTMLResponse)
async def submit_tip(request: Request) -> HTMLResponse:
    form = await read_form(request)
    key = form.get("idempotency_key") or unique_id()
    try:
        receipt = await backend(request).post(
            "intake",
            "/tips",
            body=submission_of(form),
            headers={"Idempotency-Key": key, **forwarded_for(request)},
        )
    except BackendError as error:
        return await _tip_form(request, form, error)
    return page(request, "receipt.html", receipt=receipt)


@router.get("/lookup", response_class=HTMLResponse)
async def lookup_form(request: Request) -> HTMLResponse:
    return page(request, "lookup.html", code="", result=None, error=None)


@router.post("/lookup", response_class=HTMLResponse)
async def lookup(request: Request) -> HTMLResponse:
    code = (await read_form(request)).get("receipt_code")
    try:
        result = await backend(request).post(
            "intake", "/tips/status", body={"receipt_code": code}, headers=forwarded_for(request)
        )
    except BackendError as error:
        status = error.status if error.status in (404, 422, 429) else 502
        return page(request, "lookup.html", status, code=code, result=None, error=error)
    return page(request, "lookup.html", code=code, result=result, error=None)


@router.get("/results", response_class=HTMLResponse)
async def published_results(request: Request) -> HTMLResponse:
    # The public reads, anonymously, only what publication shows.
    found = await backend(request).get("evaluation", "/results", limit=200)
    published = [
        {
            "meeting": meeting,
            "tally": meeting["results"],
            "names": {a["agency_id"]: a.get("name") or a["agency_id"] for a in meeting["agencies"]},
        }
        for meeting in found["meetings"]
    ]
    return page(request, "results.html", published=published)


@router.get("/cases", response_class=HTMLResponse)
async def exposed_cases(request: Request) -> HTMLResponse:
    found = await backend(request).get(
        "rectification", "/public/cases", region_code="360000", limit=200
    )
    return page(request, "cases_public.html", cases=found["cases"])


@router.get("/channels", response_class=HTMLResponse)
async def channels(request: Request) -> HTMLResponse:
    return page(request, "channels.html", channels=CHANNELS)
