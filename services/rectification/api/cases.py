"""Typical cases: opening, referrals and their acknowledgement, exposure, accountability."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.rectification.api.deps import (
    CASE_READERS,
    Runtime,
    context,
    new_id,
    require_reader_of_region,
    visible_case,
)
from services.rectification.api.models import (
    AccountabilityRequest,
    AcknowledgementRequest,
    CasePage,
    CaseView,
    ExposureRequest,
    OpenCaseRequest,
    ReferralRequest,
)
from services.rectification.domain.access import require_region
from services.rectification.domain.cases import (
    CASE_PREFIX,
    CASE_ROLES,
    AcknowledgeReferral,
    CaseState,
    ExposeCase,
    ImposeAccountability,
    OpenCase,
    ReferCase,
)
from services.rectification.domain.items import ItemState, item_id_for
from services.rectification.runtime import CASE, ITEM, RectificationRuntime
from shared.actors import Actor
from shared.auth import CurrentActor
from shared.errors import Invalid
from shared.events.rectification import CaseKind
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region
from shared.text import IdPath

router = APIRouter(tags=["cases 典型案例"])


def known_items(
    runtime: RectificationRuntime,
    problem_ids: list[str],
    region_code: str,
    agency_id: str | None = None,
) -> list[ItemState]:
    """The items of ``problem_ids``; each must exist, lie in ``region_code`` and, with
    ``agency_id``, be that agency's. A problem that fails any of these gets one answer,
    so the refusal does not tell whether it exists elsewhere."""
    items = []
    regions = jiangxi()
    for index, problem_id in enumerate(problem_ids):
        aggregate = runtime.events.get(ITEM, item_id_for(problem_id))
        item: ItemState | None = aggregate.state if aggregate is not None else None
        if (
            item is None
            or item.region_code not in regions
            or not regions.is_within(item.region_code, region_code)
            or (agency_id is not None and item.agency_id != agency_id)
        ):
            raise Invalid(
                f"在您可处理的范围内未找到问题 {problem_id} 的整改事项",
                f"problem_ids.{index}: no rectification item for problem {problem_id} "
                "that you may act on",
                field=f"problem_ids.{index}",
            )
        items.append(item)
    return items


def _case(runtime: RectificationRuntime, case_id: str) -> CaseState:
    state: CaseState = runtime.events.require(CASE, case_id).state
    return state


async def _act(runtime: RectificationRuntime, actor: Actor, case_id: str, command: Any) -> CaseView:
    case = visible_case(runtime, actor, case_id)
    await runtime.events.execute(
        CASE, case_id, command, context(actor, case.campaign_id, case.region_code)
    )
    return CaseView.of(_case(runtime, case_id))


@router.post(
    "/cases",
    response_model=CaseView,
    status_code=201,
    summary="由一个或多个问题立典型案例 / Open a typical case from problems",
)
async def open_case(body: OpenCaseRequest, actor: CurrentActor, runtime: Runtime) -> CaseView:
    actor.require(*CASE_ROLES)
    region_code = known_region(body.region_code or actor.region_code)
    require_region(actor, region_code)
    items = known_items(runtime, body.problem_ids, region_code)
    case_id = new_id(CASE_PREFIX)
    campaign_id = items[0].campaign_id
    command = OpenCase(
        actor=actor,
        case_id=case_id,
        campaign_id=campaign_id,
        region_code=region_code,
        kind=body.kind,
        origin=body.origin,
        title=body.title,
        summary=body.summary,
        problem_ids=tuple(body.problem_ids),
        agency_ids=tuple(i.agency_id for i in items),
        at=runtime.clock.now(),
    )
    await runtime.events.execute(CASE, case_id, command, context(actor, campaign_id, region_code))
    return CaseView.of(_case(runtime, case_id))


@router.get(
    "/cases", response_model=CasePage, summary="典型案例列表（按辖区、类型，分页） / List cases"
)
async def list_cases(
    actor: CurrentActor,
    runtime: Runtime,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: CaseKind | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CasePage:
    actor.require(*CASE_READERS)
    region = known_region(region_code or actor.region_code)
    require_reader_of_region(actor, region)
    regions = jiangxi()
    chosen = (
        case
        for _, case in runtime.events.all(CASE)
        if case is not None
        and regions.is_within(case.region_code, region)
        and (kind is None or case.kind is kind)
    )
    total, page = window(chosen, key=lambda c: (c.opened_at, c.case_id), offset=offset, limit=limit)
    return CasePage(total=total, offset=offset, limit=limit, cases=[CaseView.of(c) for c in page])


@router.get("/cases/{case_id}", response_model=CaseView, summary="案件详情 / One case")
async def get_case(case_id: IdPath, actor: CurrentActor, runtime: Runtime) -> CaseView:
    return CaseView.of(visible_case(runtime, actor, case_id))


@router.post(
    "/cases/{case_id}/referrals",
    response_model=CaseView,
    summary="移送纪检监察或检察机关 / Refer to discipline inspection or the procuratorate",
)
async def refer(
    case_id: IdPath, body: ReferralRequest, actor: CurrentActor, runtime: Runtime
) -> CaseView:
    case = visible_case(runtime, actor, case_id)
    command = ReferCase(
        actor=actor,
        referral_id=new_id("ref-"),
        body=body.body,
        receiving_body=body.receiving_body,
        reason=body.reason,
        acknowledge_by=body.acknowledge_by,
        default_ack_days=runtime.directory.rules(case.campaign_id).referral_ack_days,
        at=runtime.clock.now(),
    )
    return await _act(runtime, actor, case_id, command)


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
    runtime: Runtime,
) -> CaseView:
    command = AcknowledgeReferral(
        actor, referral_id, body.reference_no, body.note, runtime.clock.now()
    )
    return await _act(runtime, actor, case_id, command)


@router.post(
    "/cases/{case_id}/exposure",
    response_model=CaseView,
    summary="公开通报典型案例（摘要脱敏） / Expose the case with a redacted summary",
)
async def expose(
    case_id: IdPath, body: ExposureRequest, actor: CurrentActor, runtime: Runtime
) -> CaseView:
    command = ExposeCase(actor, body.headline, body.summary, body.channel, runtime.clock.now())
    return await _act(runtime, actor, case_id, command)


@router.post(
    "/cases/{case_id}/accountability",
    response_model=CaseView,
    summary="对个人或单位作出问责决定 / Hold an individual or a unit accountable",
)
async def impose_accountability(
    case_id: IdPath,
    body: AccountabilityRequest,
    actor: CurrentActor,
    runtime: Runtime,
) -> CaseView:
    command = ImposeAccountability(
        actor=actor,
        decision_id=new_id("acc-"),
        target=body.target,
        target_ref=body.target_ref,
        grounds=tuple(body.grounds),
        measure=body.measure,
        note=body.note,
        at=runtime.clock.now(),
    )
    return await _act(runtime, actor, case_id, command)
