"""What the public reads of rectification: exposed cases as they were published
(headline, redacted summary, channel, date), never the case file behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.rectification.api.deps import AppDep
from services.rectification.application import cases
from services.rectification.domain.cases.state import CaseState
from shared.events.rectification import CaseKind
from shared.params import Limit, Offset

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


def _published(case: CaseState) -> ExposedCase:
    exposure = case.exposure
    assert exposure is not None, "only exposed cases are listed"
    return ExposedCase(
        region_code=case.region_code,
        kind=case.kind,
        headline=exposure.headline,
        redacted_summary=exposure.redacted_summary,
        channel=exposure.channel,
        exposed_at=exposure.exposed_at,
    )


@router.get(
    "/public/cases",
    response_model=ExposedCasePage,
    summary="已曝光的典型案例（公开，最新在前）/ Exposed cases as published (public)",
)
async def exposed_cases(
    app: AppDep,
    region_code: Annotated[str, Query(pattern=r"^\d{6}$")] = "360000",
    offset: Offset = 0,
    limit: Limit = 50,
) -> ExposedCasePage:
    total, page = cases.exposed_cases(app, region_code, offset=offset, limit=limit)
    return ExposedCasePage(
        total=total, offset=offset, limit=limit, cases=[_published(case) for case in page]
    )
