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
from shared.fields import copy_fields
from shared.paging import Page
from shared.params import Limit, Offset

router = APIRouter(tags=["public 公开"])


class ExposedCase(BaseModel):
    region_code: str
    kind: CaseKind
    headline: str
    redacted_summary: str
    channel: str
    exposed_at: datetime


class ExposedCasePage(Page):
    cases: list[ExposedCase]


def _published(case: CaseState) -> ExposedCase:
    exposure = case.exposure
    assert exposure is not None, "only exposed cases are listed"
    return copy_fields(exposure, ExposedCase, region_code=case.region_code, kind=case.kind)


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
    listed = cases.exposed_cases(app, region_code, offset=offset, limit=limit)
    return ExposedCasePage.of(listed, offset, limit, _published)
