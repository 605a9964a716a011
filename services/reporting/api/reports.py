"""Summary reports (phase 5) for a region or an agency, as PDF or Word."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.reporting.api.access import require_agency, require_region
from services.reporting.api.deps import Context
from services.reporting.api.views import agency_row
from services.reporting.reports.formats import MEDIA_TYPES
from services.reporting.reports.isolated import render_in_child
from shared.access_policy import Resource, withheld_figures
from shared.auth import CurrentActor
from shared.errors import Invalid

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/summary",
    summary="总结报告（PDF 或 Word） / Summary report as PDF or Word",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def summary_report(
    actor: CurrentActor,
    context: Context,
    region_code: Annotated[str | None, Query(description="report on a region")] = None,
    agency_id: Annotated[str | None, Query(description="report on an agency")] = None,
    format: Literal["pdf", "docx"] = "pdf",
) -> Response:
    if (region_code is None) == (agency_id is None):
        raise Invalid(
            "请指定 region_code 或 agency_id 之一",
            "give exactly one of region_code or agency_id",
            field="region_code",
        )
    if region_code is not None:
        require_region(actor, region_code)
    else:
        assert agency_id is not None
        with context.engine.connect() as conn:
            row = agency_row(conn, agency_id)
        require_agency(actor, agency_id, str(row["region_code"]) if row else None)
    body, name = await render_in_child(
        context.engine.url.render_as_string(hide_password=False),
        context.clock.now(),
        format,
        region_code=region_code,
        agency_id=agency_id,
        withheld=withheld_figures(actor, Resource.agency_figures) if agency_id else (),
    )
    return Response(
        content=body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
