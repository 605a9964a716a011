"""Dashboards: province → city → county drill-down, charts, rankings, CSV, reports."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared.clock import BEIJING
from shared.regions import jiangxi
from shared.vocabulary import LABELS_ZH, ProblemCategory

from ..backend import BackendError
from ..charts import bar_chart, stacked_bar
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page
from ..session import actor_of, token_of
from .common import backend, path_id

router = APIRouter()

ITEM_STATES = ("open", "in_progress", "completed", "verified", "returned")
CSV_COLUMNS = (
    "tips.total",
    "problems.total",
    "items.total",
    "items.verified",
    "items.overdue",
    "items.completion_rate",
    "items.on_time_rate",
    "referrals.total",
    "referrals.unacknowledged",
    "evaluation.ballots",
    "evaluation.satisfaction_rate",
)


async def _figures(request: Request, code: str) -> tuple[dict[str, Any], bool]:
    """The officer's dashboard, or the public aggregates for anyone else."""
    token = token_of(request)
    api = backend(request)
    if token and actor_of(request) is not None:
        try:
            return await api.get("reporting", f"/dashboard/regions/{code}", token), True
        except BackendError as error:
            if error.status != 403:
                raise
    return await api.get("reporting", f"/public/regions/{code}"), False


def _category_label(category: str, lang: str) -> str:
    return LABELS_ZH.get(category, category) if lang == "zh" else category


def _charts(figures: dict[str, Any], children: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    t = translator(lang)
    categories = [
        (_category_label(c.value, lang), float(figures.get(f"problems.category.{c.value}", 0)))
        for c in ProblemCategory
    ]
    progress = [(t(f"dash.{s}"), float(figures.get(f"items.{s}", 0))) for s in ITEM_STATES]
    satisfaction = [
        (child["region"]["name"], float(child["figures"]["evaluation.satisfaction_rate"]))
        for child in children
        if "evaluation.satisfaction_rate" in child["figures"]
    ]
    overdue = [
        (child["region"]["name"], float(child["figures"].get("items.overdue", 0)))
        for child in children
    ]
    return {
        "categories": bar_chart(t("dash.by_category"), categories),
        "progress": stacked_bar(t("dash.progress"), progress),
        "overdue": bar_chart(t("dash.overdue"), overdue) if overdue else None,
        "satisfaction": bar_chart(t("dash.satisfaction"), satisfaction, percent=True)
        if satisfaction
        else None,
    }


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> HTMLResponse:
    actor = actor_of(request)
    default = actor.region_code if actor and actor.region_code in jiangxi() else "360000"
    code = request.query_params.get("region") or default
    if code not in jiangxi():
        code = default
    data, signed_in = await _figures(request, code)
    lang = pick_lang(request)
    figures: dict[str, Any] = data["figures"]
    children: list[dict[str, Any]] = data["children"]
    ranking = None
    if signed_in:
        token = token_of(request)
        try:
            ranking = await backend(request).get(
                "reporting",
                "/rankings/agencies",
                token,
                region_code=code,
                metric=request.query_params.get("metric", "completion"),
                min_volume=1,
            )
        except BackendError:
            ranking = None
    parent = jiangxi().parent(code)
    return page(
        request,
        "dashboard.html",
        code=code,
        region=data["region"],
        parent=parent,
        figures=figures,
        children=children,
        agencies=data.get("agencies", []),
        offsets=data.get("offsets", {}),
        ranking=ranking,
        signed_in=signed_in,
        charts=_charts(figures, children, lang),
        as_of=request.app.state.clock.now().astimezone(BEIJING),
        comparison=None,
    )


@router.get("/dashboard/agencies/{agency_id}", response_class=HTMLResponse)
async def agency_dashboard(agency_id: str, request: Request) -> HTMLResponse:
    token = token_of(request)
    if not token or actor_of(request) is None:
        raise BackendError(401, "请先登录", "please sign in first")
    agency_id = path_id(agency_id, "agency_id")
    data = await backend(request).get("reporting", f"/dashboard/agencies/{agency_id}", token)
    figures: dict[str, Any] = data["figures"]
    return page(
        request,
        "agency_dashboard.html",
        agency=data["agency"],
        figures=figures,
        offsets=data.get("offsets", {}),
        charts=_charts(figures, [], pick_lang(request)),
        as_of=request.app.state.clock.now().astimezone(BEIJING),
    )


@router.get("/dashboard.csv")
async def dashboard_csv(request: Request) -> Response:
    code = request.query_params.get("region") or "360000"
    data, _ = await _figures(request, code)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region_code", "region_name", *CSV_COLUMNS])
    rows = [{"region": data["region"], "figures": data["figures"]}, *data["children"]]
    for row in rows:
        writer.writerow(
            [row["region"]["code"], row["region"]["name"]]
            + [row["figures"].get(column, 0) for column in CSV_COLUMNS]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dashboard-{code}.csv"'},
    )


@router.post("/dashboard/audit", response_class=HTMLResponse)
async def audit(request: Request) -> HTMLResponse:
    """Rebuild the read models from the log as of a moment and compare with live."""
    form = await read_form(request)
    token = token_of(request)
    api = backend(request)
    as_of = form.get("as_of")
    body = {"as_of": f"{as_of}:00+08:00" if len(as_of) == 16 else as_of or None}
    replay = await api.post("reporting", "/audit/replays", token, body)
    comparison = await api.get(
        "reporting", "/audit/compare", token, left="live", right=replay["replay_id"]
    )
    return page(request, "audit.html", replay=replay, comparison=comparison)
