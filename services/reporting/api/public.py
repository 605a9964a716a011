"""Published aggregates for the public: counts and rates only, never a person,
a tip's text or an event; evaluation results only from published meetings."""

from __future__ import annotations

from fastapi import APIRouter

from services.reporting.api.access import known_region
from services.reporting.api.deps import ReadConnection
from services.reporting.api.models import PublicFigures, RegionDashboardChild
from services.reporting.api.views import region_ref
from services.reporting.readmodels.figures import public_figures_by_region
from shared.text import RegionPath

router = APIRouter(prefix="/public", tags=["public"])


@router.get(
    "/regions/{region_code}",
    response_model=PublicFigures,
    summary="公开的汇总数据（不含个人信息） / Published aggregates (no personal data)",
)
def public_region(region_code: RegionPath, conn: ReadConnection) -> PublicFigures:
    known_region(region_code)
    figures, children = public_figures_by_region(conn, region_code)
    return PublicFigures(
        region=region_ref(region_code),
        figures=figures,
        children=[
            RegionDashboardChild(region=region_ref(code), figures=values)
            for code, values in children.items()
        ],
    )
