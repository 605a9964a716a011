"""Published aggregates for the public: counts and rates only, never a person,
a tip's text or an event; evaluation results and look-backs only from published
results. Served from a cache that holds while the read models' offsets stand still,
so that repeated requests read no subjects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.reporting.api.deps import ReadConnection
from services.reporting.api.models import PublicFigures, RegionDashboardChild
from services.reporting.api.views import region_ref
from services.reporting.readmodels.public import PublicFiguresCache
from shared.errors import NotFound
from shared.params import RegionPath
from shared.regions import known_region

router = APIRouter(prefix="/public", tags=["public"])


async def public_cache(request: Request) -> PublicFiguresCache:
    """The app's cache, made on first use (on the event loop, so made once)."""
    cache: PublicFiguresCache | None = getattr(request.app.state, "public_figures", None)
    if cache is None:
        cache = request.app.state.public_figures = PublicFiguresCache()
    return cache


@router.get(
    "/regions/{region_code}",
    response_model=PublicFigures,
    summary="公开的汇总数据（不含个人信息） / Published aggregates (no personal data)",
)
def public_region(
    region_code: RegionPath,
    conn: ReadConnection,
    cache: Annotated[PublicFiguresCache, Depends(public_cache)],
) -> PublicFigures:
    known_region(region_code, refusal=NotFound)
    figures, children = cache.figures(conn, region_code)
    return PublicFigures(
        region=region_ref(region_code),
        figures=figures,
        children=[
            RegionDashboardChild(region=region_ref(code), figures=values)
            for code, values in children.items()
        ],
    )
