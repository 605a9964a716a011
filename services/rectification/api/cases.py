"""Typical cases: opening, referrals and their acknowledgement, exposure, accountability."""

from __future__ import annotations

from fastapi import APIRouter

from services.rectification.api.deps import AppDep, RegionQuery
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

router = APIRouter(tags=["cases 典型案例"])


@router.post(
    "/cases",
    response_model=CaseView,
    status_code=201,
    summary="由一个或多个问题立典型案例 / Open a typical case from problems",
)
async def open_case(body: OpenCaseRequest, actor: CurrentActor, app: AppDep) -> CaseView:
    return CaseView.of(await cases.open_case(app, actor, **dict(body)))


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


@router.post(
    "/cases/{case_id}/referrals",
    response_model=CaseView,
    summary="移送纪检监察或检察机关 / Refer to discipline inspection or the procuratorate",
)
async def refer(
    case_id: IdPath, body: ReferralRequest, actor: CurrentActor, app: AppDep
) -> CaseView:
    return CaseView.of(await cases.refer(app, actor, case_id, **dict(body)))


@router.post(
    "/cases/{case_id}/referrals/{referral_id}/acknowledgement",
    response_model=CaseView,
    summary="记录接收机关的确认 / Record the receiving body's acknowledgement",
)
async def acknowledge(
    case_id: IdPath,
    referral_id: IdPath,
    body: AcknowledgementRequest,
    actor: CurrentActor,
    app: AppDep,
) -> CaseView:
    acknowledged = await cases.acknowledge(app, actor, case_id, referral_id, **dict(body))
    return CaseView.of(acknowledged)


@router.post(
    "/cases/{case_id}/exposure",
    response_model=CaseView,
    summary="公开通报典型案例（摘要脱敏） / Expose the case with a redacted summary",
)
async def expose(
    case_id: IdPath, body: ExposureRequest, actor: CurrentActor, app: AppDep
) -> CaseView:
    return CaseView.of(await cases.expose(app, actor, case_id, **dict(body)))


@router.post(
    "/cases/{case_id}/accountability",
    response_model=CaseView,
    summary="对个人或单位作出问责决定 / Hold an individual or a unit accountable",
)
async def impose_accountability(
    case_id: IdPath,
    body: AccountabilityRequest,
    actor: CurrentActor,
    app: AppDep,
) -> CaseView:
    return CaseView.of(await cases.impose_accountability(app, actor, case_id, **dict(body)))
