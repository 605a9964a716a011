"""What the public reads of rectification: exposed cases as they were published
(headline, redacted summary, channel, date), never the case file behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.rectification.api.deps import Runtime
from services.rectification.runtime import CASE
from shared.events.rectification import CaseKind
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region

router = APIRouter(tags=["public 公开"])


class ExposedCase(BaseModel):
    region_code: str
    kind: CaseKind
    headline: str
    redacted_summary: str
    channel: str
    exposed_at: datetime


class ExposedCasePage(BaseModel):
    total: int
    offset: int
    limit: int
    cases: list[ExposedCase]


@router.get(
    "/public/cases",
    response_model=ExposedCasePage,
    summary="已曝光的典型案例（公开，最新在前）/ Exposed cases as published (public)",
)
async def exposed_cases(
    runtime: Runtime,
    region_code: Annotated[str, Query(pattern=r"^\d{6}$")] = "360000",
    offset: Offset = 0,
    limit: Limit = 50,
) -> ExposedCasePage:
    region = known_region(region_code)
    regions = jiangxi()
    exposed = (
        ExposedCase(
            region_code=case.region_code,
            kind=case.kind,
            headline=case.exposure.headline,
            redacted_summary=case.exposure.redacted_summary,
            channel=case.exposure.channel,
            exposed_at=case.exposure.exposed_at,
        )
        for _, case in runtime.events.all(CASE)
        if case is not None
        and case.exposure is not None
        and regions.is_within(case.region_code, region)
    )
    total, page = window(
        exposed,
        key=lambda c: (-c.exposed_at.timestamp(), c.headline),
        offset=offset,
        limit=limit,
    )
    return ExposedCasePage(total=total, offset=offset, limit=limit, cases=page)
