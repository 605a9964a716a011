"""Triage and verification by intake officers and legal affairs offices.

Notes, reasons and findings are sealed by the handlers before they reach a command
(they may quote the tipster); they are read back through ``tip_words``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from shared.actors import Actor
from shared.auth import CurrentActor
from shared.params import IdPath, Limit, Offset

from ..application import IntakeApp, problems, tips, triage, verification
from ..application.problems import ProblemDraft
from ..application.tips import SeenTip
from ..domain.tip import STATUS_ZH, TipState, TipStatus
from .deps import AppDep, CorrelationId
from .models import (
    AcceptBody,
    AssignBody,
    MergeBody,
    ProblemPage,
    ProblemView,
    RejectBody,
    SubstantiateBody,
    TipPage,
    TipView,
    TransferBody,
    UnsubstantiateBody,
    Verified,
)

router = APIRouter(tags=["tips (staff) / 线索受理与核查"])


# Shown as the state keeps them: the fields a view shares with the state, but those
# it shows otherwise (below).
_AS_KEPT = sorted(
    (TipView.model_fields.keys() & {f.name for f in fields(TipState)})
    - {"tip_id", "status", "channel", "escalated", "problem_ids"}
)


def tip_view(seen: SeenTip) -> TipView:
    state = seen.state
    return TipView(
        **{name: getattr(state, name) for name in _AS_KEPT},
        tip_id=seen.tip_id,
        status=state.status.value,
        status_zh=STATUS_ZH[state.status],
        channel=state.channel.value if state.channel else "",
        has_text=bool(state.sealed_text),
        anonymous=not state.has_contact,
        escalated=sorted(state.escalated),
        merged_tips=list(seen.merged_tips),
        problem_ids=list(state.problem_ids),
    )


@router.get(
    "/tips",
    response_model=TipPage,
    summary="本地区线索列表（待办在前，分页） / Tips in my region, open first, paged",
)
async def list_tips(
    app: AppDep,
    actor: CurrentActor,
    status: TipStatus | None = None,
    region_code: Annotated[
        str | None,
        Query(pattern=r"^\d{6}$", description="只列此地区及下级 / this region and below"),
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> TipPage:
    total, page = await tips.list_tips(
        app, actor, status=status, region_code=region_code, offset=offset, limit=limit
    )
    return TipPage(total=total, offset=offset, limit=limit, tips=[tip_view(s) for s in page])


@router.get("/tips/{tip_id}", response_model=TipView, summary="线索详情 / One tip")
async def get_tip(tip_id: IdPath, app: AppDep, actor: CurrentActor) -> TipView:
    return tip_view(await tips.get_tip(app, actor, tip_id))


async def _triaged(
    handler: Callable[..., Awaitable[SeenTip]],
    tip_id: str,
    body: BaseModel,
    app: IntakeApp,
    actor: Actor,
    correlation: str,
) -> TipView:
    """The tip after a triage handler; the body's fields are its keyword arguments."""
    seen = await handler(app, actor, tip_id, **dict(body), correlation_id=correlation)
    return tip_view(seen)


@router.post("/tips/{tip_id}/accept", response_model=TipView, summary="受理 / Accept")
async def accept(
    tip_id: IdPath, body: AcceptBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    return await _triaged(triage.accept_tip, tip_id, body, app, actor, correlation)


@router.post(
    "/tips/{tip_id}/reject", response_model=TipView, summary="不予受理并转交 / Reject and refer"
)
async def reject(
    tip_id: IdPath, body: RejectBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    return await _triaged(triage.reject_tip, tip_id, body, app, actor, correlation)


@router.post("/tips/{tip_id}/merge", response_model=TipView, summary="重复线索合并 / Merge")
async def merge(
    tip_id: IdPath, body: MergeBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    return await _triaged(triage.merge_tip, tip_id, body, app, actor, correlation)


@router.post("/tips/{tip_id}/assign", response_model=TipView, summary="交办核查 / Assign")
async def assign(
    tip_id: IdPath, body: AssignBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    return await _triaged(triage.assign_tip, tip_id, body, app, actor, correlation)


@router.post("/tips/{tip_id}/transfer", response_model=TipView, summary="跨地区转办 / Transfer")
async def transfer(
    tip_id: IdPath,
    body: TransferBody,
    app: AppDep,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> TipView:
    return await _triaged(triage.transfer_tip, tip_id, body, app, actor, correlation)


@router.post(
    "/tips/{tip_id}/substantiate",
    response_model=Verified,
    summary="核查属实，认定问题 / Substantiated: problems found",
)
async def substantiate(
    tip_id: IdPath,
    body: SubstantiateBody,
    app: AppDep,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    drafts = [
        ProblemDraft(p.category, p.kind, p.severity, p.summary, agency_id=p.agency_id or "")
        for p in body.problems
    ]
    state = await verification.substantiate_tip(
        app, actor, tip_id, findings=body.findings, problems=drafts, correlation_id=correlation
    )
    return Verified(tip_id=tip_id, status=state.status.value, problem_ids=list(state.problem_ids))


@router.post(
    "/tips/{tip_id}/unsubstantiate",
    response_model=Verified,
    summary="核查不属实 / Unsubstantiated",
)
async def unsubstantiate(
    tip_id: IdPath,
    body: UnsubstantiateBody,
    app: AppDep,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    state = await verification.unsubstantiate_tip(
        app, actor, tip_id, reason=body.reason, correlation_id=correlation
    )
    return Verified(tip_id=tip_id, status=state.status.value)


@router.get(
    "/problems",
    response_model=ProblemPage,
    summary="已认定的问题（按认定时间，分页） / Problems found, oldest first, paged",
)
async def list_problems(
    app: AppDep,
    actor: CurrentActor,
    agency_id: str | None = None,
    campaign_id: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ProblemPage:
    total, page = await problems.list_problems(
        app, actor, agency_id=agency_id, campaign_id=campaign_id, offset=offset, limit=limit
    )
    return ProblemPage(
        total=total,
        offset=offset,
        limit=limit,
        problems=[ProblemView.model_validate(found) for found in page],
    )
