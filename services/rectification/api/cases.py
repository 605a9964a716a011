"""Typical cases: opening, referrals and their acknowledgement, exposure, accountability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.rectification.api.deps import AppDep
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
    opened = await cases.open_case(
        app,
        actor,
        kind=body.kind,
        origin=body.origin,
        title=body.title,
        summary=body.summary,
        problem_ids=body.problem_ids,
        region_code=body.region_code,
    )
    return CaseView.of(opened)


@router.get(
    "/cases", response_model=CasePage, summary="典型案例列表（按辖区、类型，分页） / List cases"
)
async def list_cases(
    actor: CurrentActor,
    app: AppDep,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: CaseKind | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CasePage:
    total, page = cases.list_cases(
        app, actor, region_code=region_code, kind=kind, offset=offset, limit=limit
    )
    return CasePage(total=total, offset=offset, limit=limit, cases=[CaseView.of(c) for c in page])


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
    referred = await cases.refer(
        app,
        actor,
        case_id,
        body=body.body,
        receiving_body=body.receiving_body,
        reason=body.reason,
        acknowledge_by=body.acknowledge_by,
    )
    return CaseView.of(referred)


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
    acknowledged = await cases.acknowledge(
        app, actor, case_id, referral_id, reference_no=body.reference_no, note=body.note
    )
    return CaseView.of(acknowledged)


@router.post(
    "/cases/{case_id}/exposure",
    response_model=CaseView,
    summary="公开通报典型案例（摘要脱敏） / Expose the case with a redacted summary",
)
async def expose(
    case_id: IdPath, body: ExposureRequest, actor: CurrentActor, app: AppDep
) -> CaseView:
    exposed = await cases.expose(
        app, actor, case_id, headline=body.headline, summary=body.summary, channel=body.channel
    )
    return CaseView.of(exposed)


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
    decided = await cases.impose_accountability(
        app,
        actor,
        case_id,
        target=body.target,
        target_ref=body.target_ref,
        grounds=tuple(body.grounds),
        measure=body.measure,
        note=body.note,
    )
    return CaseView.of(decided)
