"""Typical cases: opening, referrals and their acknowledgement, exposure, accountability
(each a ``POST``, its body the action's input)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from services.rectification.api.deps import ACTING, AppDep, RegionQuery
from services.rectification.api.models import (
    AccountabilityRequest,
    AcknowledgementRequest,
    CasePage,
    CaseView,
    ExposureRequest,
    OpenCaseRequest,
    ReferralRequest,
)
from services.rectification.application import cases
from shared.auth import CurrentActor
from shared.events.rectification import CaseKind
from shared.params import IdPath, Limit, Offset
from shared.routes import post_action

router = APIRouter(tags=["cases 典型案例"])


_action = partial(post_action, router, response_model=CaseView, view=CaseView.of, depends=ACTING)

_action(
    "/cases",
    cases.open_case,
    summary="由一个或多个问题立典型案例 / Open a typical case from problems",
    body=OpenCaseRequest,
    status_code=201,
)


@router.get(
    "/cases", response_model=CasePage, summary="典型案例列表（按辖区、类型，分页） / List cases"
)
async def list_cases(
    actor: CurrentActor,
    app: AppDep,
    region_code: RegionQuery = None,
    kind: CaseKind | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CasePage:
    listed = cases.list_cases(
        app, actor, region_code=region_code, kind=kind, offset=offset, limit=limit
    )
    return CasePage.of(listed, offset, limit, CaseView.of)


@router.get("/cases/{case_id}", response_model=CaseView, summary="案件详情 / One case")
async def get_case(case_id: IdPath, actor: CurrentActor, app: AppDep) -> CaseView:
    return CaseView.of(cases.get_case(app, actor, case_id))


_action(
    "/cases/{case_id}/referrals",
    cases.refer,
    summary="移送纪检监察或检察机关 / Refer to discipline inspection or the procuratorate",
    body=ReferralRequest,
)
_action(
    "/cases/{case_id}/referrals/{referral_id}/acknowledgement",
    cases.acknowledge,
    summary="记录接收机关的确认 / Record the receiving body's acknowledgement",
    body=AcknowledgementRequest,
)
_action(
    "/cases/{case_id}/exposure",
    cases.expose,
    summary="公开通报典型案例（摘要脱敏） / Expose the case with a redacted summary",
    body=ExposureRequest,
)
_action(
    "/cases/{case_id}/accountability",
    cases.impose_accountability,
    summary="对个人或单位作出问责决定 / Hold an individual or a unit accountable",
    body=AccountabilityRequest,
)
