"""Triage and verification by intake officers and legal affairs offices.

Notes, reasons and findings are sealed under the tip's key before they reach a
command (they may quote the tipster); they are read back through ``tip_words``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.access_policy import Resource, Target, withheld_fields, without_fields
from shared.actors import Actor, Role
from shared.auth import CurrentActor
from shared.clock import local_date
from shared.errors import Forbidden, Invalid
from shared.events.intake import FoundProblem, ProblemFound
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region
from shared.text import IdPath

from ..application import new_problem_id, record_tip_problems
from ..domain.access import require_region
from ..domain.commands import (
    AcceptTip,
    AssignTip,
    MergeTip,
    RejectTip,
    SubstantiateTip,
    TargetTip,
    TransferTip,
    UnsubstantiateTip,
)
from ..domain.tip import (
    TRIAGE_ROLES,
    VERIFICATION_ROLES,
    TipState,
    TipStatus,
    visible_to,
)
from ..parts import IntakeParts
from ..store import PROBLEM, TIP
from .deps import CorrelationId, Parts
from .models import (
    AcceptBody,
    AssignBody,
    MergeBody,
    ProblemIn,
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
from .tip_access import READER_ROLES, execute, tip_view, visible_tip

router = APIRouter(tags=["tips (staff) / 线索受理与核查"])


def _problem_as_read_by(actor: Actor, found: ProblemFound) -> ProblemView:
    """A problem without the fields the policy withholds from this reader: the agency
    found at fault does not learn which tips were behind it."""
    withheld = withheld_fields(actor, Resource.problem, Target(found.region_code, found.agency_id))
    return ProblemView(**without_fields(found.model_dump(mode="json"), withheld))


# The queue's order: tips still waiting for triage or verification first, then the rest;
# oldest first within each.
OPEN_FIRST = {TipStatus.received: 0, TipStatus.accepted: 1, TipStatus.assigned: 2}


@router.get(
    "/tips",
    response_model=TipPage,
    summary="本地区线索列表（待办在前，分页） / Tips in my region, open first, paged",
)
async def list_tips(
    parts: Parts,
    actor: CurrentActor,
    status: TipStatus | None = None,
    region_code: Annotated[
        str | None,
        Query(pattern=r"^\d{6}$", description="只列此地区及下级 / this region and below"),
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> TipPage:
    actor.require(*READER_ROLES)
    regions = jiangxi()
    within = known_region(region_code) if region_code else None

    def listed(state: TipState) -> bool:
        if status is not None and state.status is not status:
            return False
        if within is not None and not regions.is_within(state.region_code, within):
            return False
        return visible_to(actor, state)

    total, page = window(
        ((tip_id, state) for tip_id, state in parts.store.all(TIP) if listed(state)),
        key=lambda row: (OPEN_FIRST.get(row[1].status, 9), row[1].received_at, row[0]),
        offset=offset,
        limit=limit,
    )
    return TipPage(
        total=total,
        offset=offset,
        limit=limit,
        tips=[tip_view(parts, actor, tip_id, state) for tip_id, state in page],
    )


@router.get("/tips/{tip_id}", response_model=TipView, summary="线索详情 / One tip")
async def get_tip(tip_id: IdPath, parts: Parts, actor: CurrentActor) -> TipView:
    return tip_view(parts, actor, tip_id, visible_tip(parts, actor, tip_id, *READER_ROLES))


@router.post("/tips/{tip_id}/accept", response_model=TipView, summary="受理 / Accept")
async def accept(
    tip_id: IdPath, body: AcceptBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    state = visible_tip(parts, actor, tip_id, *TRIAGE_ROLES)
    due = parts.directory.verification_due(state.campaign_id, parts.clock.now())
    sealed = await parts.privacy.seal(tip_id, body.note)
    command = AcceptTip(actor, due, parts.clock.now(), note=body.note, sealed_note=sealed)
    return tip_view(parts, actor, tip_id, await execute(parts, tip_id, command, actor, correlation))


@router.post(
    "/tips/{tip_id}/reject", response_model=TipView, summary="不予受理并转交 / Reject and refer"
)
async def reject(
    tip_id: IdPath, body: RejectBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    visible_tip(parts, actor, tip_id, *TRIAGE_ROLES)
    sealed = await parts.privacy.seal(tip_id, body.reason)
    command = RejectTip(
        actor, body.reason, parts.clock.now(), referred_to=body.referred_to, sealed_reason=sealed
    )
    return tip_view(parts, actor, tip_id, await execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/merge", response_model=TipView, summary="重复线索合并 / Merge")
async def merge(
    tip_id: IdPath, body: MergeBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    visible_tip(parts, actor, tip_id, *TRIAGE_ROLES)
    target_aggregate = parts.store.get(TIP, body.into_tip_id)
    target = None
    if target_aggregate is not None:
        t: TipState = target_aggregate.state
        target = TargetTip(
            body.into_tip_id, t.status, t.campaign_id, t.region_code, t.handling_region_code
        )
    command = MergeTip(actor, target, body.into_tip_id, parts.clock.now())
    return tip_view(parts, actor, tip_id, await execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/assign", response_model=TipView, summary="交办核查 / Assign")
async def assign(
    tip_id: IdPath, body: AssignBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    state = visible_tip(parts, actor, tip_id, *TRIAGE_ROLES)
    now = parts.clock.now()
    due = parts.directory.verification_due(state.campaign_id, now)
    sealed = await parts.privacy.seal(tip_id, body.note)
    command = AssignTip(actor, body.assignee, due, now, note=body.note, sealed_note=sealed)
    return tip_view(parts, actor, tip_id, await execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/transfer", response_model=TipView, summary="跨地区转办 / Transfer")
async def transfer(
    tip_id: IdPath,
    body: TransferBody,
    parts: Parts,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> TipView:
    state = visible_tip(parts, actor, tip_id, *TRIAGE_ROLES)
    now = parts.clock.now()
    due = parts.directory.triage_due(state.campaign_id, now)
    sealed = await parts.privacy.seal(tip_id, body.reason)
    command = TransferTip(actor, body.to_region_code, body.reason, due, now, sealed_reason=sealed)
    return tip_view(parts, actor, tip_id, await execute(parts, tip_id, command, actor, correlation))


def _found_problem(
    parts: IntakeParts, state: TipState, index: int, problem: ProblemIn
) -> FoundProblem:
    agency_id = problem.agency_id or state.agency_id
    field = f"problems.{index}.agency_id"
    if not agency_id:
        raise Invalid(
            "该线索未指明机关，请为问题填写机关编号",
            "the tip names no agency id; give agency_id for the problem",
            field=field,
        )
    agency = parts.directory.agencies.get(agency_id)
    if agency is None:
        raise Invalid(
            f"未知的执法机关编号 {agency_id}", f"unknown agency_id {agency_id}", field=field
        )
    return FoundProblem(
        problem_id=new_problem_id(),
        agency_id=agency_id,
        region_code=agency.region_code,
        category=problem.category,
        kind=problem.kind,
        severity=problem.severity,
        summary=problem.summary,
    )


@router.post(
    "/tips/{tip_id}/substantiate",
    response_model=Verified,
    summary="核查属实，认定问题 / Substantiated: problems found",
)
async def substantiate(
    tip_id: IdPath,
    body: SubstantiateBody,
    parts: Parts,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    state = visible_tip(parts, actor, tip_id, *VERIFICATION_ROLES)
    now = parts.clock.now()
    problems = tuple(_found_problem(parts, state, i, p) for i, p in enumerate(body.problems))
    command = SubstantiateTip(
        actor=actor,
        findings=body.findings,
        problems=problems,
        phase=parts.directory.attributed_phase(state.campaign_id, local_date(now)),
        at=now,
        merged_tip_ids=tuple(parts.store.merged_into.values(tip_id)),
        sealed_findings=await parts.privacy.seal(tip_id, body.findings),
    )
    new_state = await execute(parts, tip_id, command, actor, correlation)
    await record_tip_problems(parts, tip_id, correlation)
    return Verified(
        tip_id=tip_id, status=new_state.status.value, problem_ids=list(new_state.problem_ids)
    )


@router.post(
    "/tips/{tip_id}/unsubstantiate",
    response_model=Verified,
    summary="核查不属实 / Unsubstantiated",
)
async def unsubstantiate(
    tip_id: IdPath,
    body: UnsubstantiateBody,
    parts: Parts,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    visible_tip(parts, actor, tip_id, *VERIFICATION_ROLES)
    sealed = await parts.privacy.seal(tip_id, body.reason)
    command = UnsubstantiateTip(actor, body.reason, parts.clock.now(), sealed_reason=sealed)
    new_state = await execute(parts, tip_id, command, actor, correlation)
    return Verified(tip_id=tip_id, status=new_state.status.value)


@router.get(
    "/problems",
    response_model=ProblemPage,
    summary="已认定的问题（按认定时间，分页） / Problems found, oldest first, paged",
)
async def list_problems(
    parts: Parts,
    actor: CurrentActor,
    agency_id: str | None = None,
    campaign_id: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ProblemPage:
    actor.require(*READER_ROLES, Role.agency_staff)

    def readable(found: ProblemFound | None) -> bool:
        if found is None or (agency_id and found.agency_id != agency_id):
            return False
        if campaign_id and found.campaign_id != campaign_id:
            return False
        if actor.role is Role.agency_staff and found.agency_id != actor.organisation:
            return False
        try:
            require_region(actor, found.region_code)
        except Forbidden:
            return False
        return True

    total, page = window(
        (state.found for _, state in parts.store.all(PROBLEM) if readable(state.found)),
        key=lambda found: (found.found_at, found.problem_id),
        offset=offset,
        limit=limit,
    )
    return ProblemPage(
        total=total,
        offset=offset,
        limit=limit,
        problems=[_problem_as_read_by(actor, found) for found in page],
    )
