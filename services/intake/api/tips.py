"""Triage and verification by intake officers and legal affairs offices."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from shared.access_policy import Resource, Target, hidden, withheld_fields, without_fields
from shared.auth import Actor, CurrentActor, Role
from shared.errors import Forbidden, Invalid
from shared.events.intake import FoundProblem, ProblemFound
from shared.eventstore import CommandContext
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region

from ..application import new_problem_id, record_tip_problems
from ..domain.access import require_region
from ..domain.calendar import local_date
from ..domain.commands import (
    AcceptTip,
    AssignTip,
    DecryptContact,
    EraseContact,
    MergeTip,
    RejectTip,
    SubstantiateTip,
    TargetTip,
    TipCommand,
    TransferTip,
    UnsubstantiateTip,
)
from ..domain.tip import STATUS_ZH, TipDecider, TipState, TipStatus
from ..parts import IntakeParts
from ..store import PROBLEM, TIP
from ..tipster_privacy import contact_subject
from .deps import CorrelationId, Parts
from .models import (
    AcceptBody,
    AssignBody,
    ContactOut,
    DecryptBody,
    EraseBody,
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

router = APIRouter(tags=["tips (staff) / 线索受理与核查"])

READER_ROLES = (
    Role.intake_officer,
    Role.legal_office,
    Role.discipline_liaison,
    Role.auditor,
    Role.admin,
)


def tip_view(parts: IntakeParts, tip_id: str, state: TipState) -> TipView:
    return TipView(
        tip_id=tip_id,
        status=state.status.value,
        status_zh=STATUS_ZH[state.status],
        campaign_id=state.campaign_id,
        channel=state.channel.value if state.channel else "",
        region_code=state.region_code,
        handling_region_code=state.handling_region_code,
        agency_id=state.agency_id,
        description=state.description,
        anonymous=not state.has_contact,
        triage_due_at=state.triage_due_at,
        verification_due_at=state.verification_due_at,
        escalated=sorted(state.escalated),
        assignee=state.assignee,
        merged_into=state.merged_into,
        merged_tips=parts.store.merged_into.values(tip_id),
        referred_to=state.referred_to,
        problem_ids=list(state.problem_ids),
        received_at=state.received_at,
        updated_at=state.updated_at,
    )


def _visible(actor: Actor, state: TipState) -> bool:
    try:
        require_region(actor, state.handling_region_code)
    except Forbidden:
        try:
            require_region(actor, state.region_code)
        except Forbidden:
            return False
    return True


def _as_read_by(actor: Actor, view: TipView) -> TipView:
    """The tip without the fields the access policy withholds from this reader (its
    sealed text from auditors and administrators), read from either of its regions."""
    withheld = withheld_fields(actor, Resource.tip, Target(view.region_code, view.agency_id))
    withheld &= withheld_fields(
        actor, Resource.tip, Target(view.handling_region_code, view.agency_id)
    )
    if not withheld:
        return view
    return TipView(**without_fields(view.model_dump(), withheld))


def _problem_as_read_by(actor: Actor, found: ProblemFound) -> ProblemView:
    """A problem without the fields the policy withholds from this reader: the agency
    found at fault does not learn which tips were behind it."""
    withheld = withheld_fields(actor, Resource.problem, Target(found.region_code, found.agency_id))
    return ProblemView(**without_fields(found.model_dump(mode="json"), withheld))


async def _execute(
    parts: IntakeParts, tip_id: str, command: TipCommand, actor: Actor, correlation: str
) -> TipState:
    state: TipState = parts.store.require(TIP, tip_id).state
    context = CommandContext(
        actor=actor.as_extension(),
        campaign_id=state.campaign_id,
        region_code=state.region_code,
        correlation_id=correlation,
    )
    await parts.store.execute(TIP, tip_id, command, context)
    new_state: TipState = parts.store.state(TIP, tip_id)
    return new_state


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
        return _visible(actor, state)

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
        tips=[_as_read_by(actor, tip_view(parts, tip_id, state)) for tip_id, state in page],
    )


@router.get("/tips/{tip_id}", response_model=TipView, summary="线索详情 / One tip")
async def get_tip(tip_id: str, parts: Parts, actor: CurrentActor) -> TipView:
    actor.require(*READER_ROLES)
    aggregate = parts.store.get(TIP, tip_id)
    if aggregate is None or not _visible(actor, aggregate.state):
        raise hidden(tip_id)  # an unknown tip and another region's: the same answer
    return _as_read_by(actor, tip_view(parts, tip_id, aggregate.state))


@router.post("/tips/{tip_id}/accept", response_model=TipView, summary="受理 / Accept")
async def accept(
    tip_id: str, body: AcceptBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    state = parts.store.require(TIP, tip_id).state
    due = parts.directory.verification_due(state.campaign_id, parts.clock.now())
    command = AcceptTip(actor, due, parts.clock.now(), note=body.note)
    return tip_view(parts, tip_id, await _execute(parts, tip_id, command, actor, correlation))


@router.post(
    "/tips/{tip_id}/reject", response_model=TipView, summary="不予受理并转交 / Reject and refer"
)
async def reject(
    tip_id: str, body: RejectBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    command = RejectTip(actor, body.reason, parts.clock.now(), referred_to=body.referred_to)
    return tip_view(parts, tip_id, await _execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/merge", response_model=TipView, summary="重复线索合并 / Merge")
async def merge(
    tip_id: str, body: MergeBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    target_aggregate = parts.store.get(TIP, body.into_tip_id)
    target = None
    if target_aggregate is not None:
        target_state: TipState = target_aggregate.state
        target = TargetTip(body.into_tip_id, target_state.status, target_state.campaign_id)
    command = MergeTip(actor, target, body.into_tip_id, parts.clock.now())
    return tip_view(parts, tip_id, await _execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/assign", response_model=TipView, summary="交办核查 / Assign")
async def assign(
    tip_id: str, body: AssignBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    state = parts.store.require(TIP, tip_id).state
    now = parts.clock.now()
    due = parts.directory.verification_due(state.campaign_id, now)
    command = AssignTip(actor, body.assignee, due, now, note=body.note)
    return tip_view(parts, tip_id, await _execute(parts, tip_id, command, actor, correlation))


@router.post("/tips/{tip_id}/transfer", response_model=TipView, summary="跨地区转办 / Transfer")
async def transfer(
    tip_id: str, body: TransferBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> TipView:
    state = parts.store.require(TIP, tip_id).state
    now = parts.clock.now()
    due = parts.directory.triage_due(state.campaign_id, now)
    command = TransferTip(actor, body.to_region_code, body.reason, due, now)
    return tip_view(parts, tip_id, await _execute(parts, tip_id, command, actor, correlation))


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
    tip_id: str,
    body: SubstantiateBody,
    parts: Parts,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    state: TipState = parts.store.require(TIP, tip_id).state
    now = parts.clock.now()
    problems = tuple(_found_problem(parts, state, i, p) for i, p in enumerate(body.problems))
    command = SubstantiateTip(
        actor=actor,
        findings=body.findings,
        problems=problems,
        phase=parts.directory.attributed_phase(state.campaign_id, local_date(now)),
        at=now,
        merged_tip_ids=tuple(parts.store.merged_into.values(tip_id)),
    )
    new_state = await _execute(parts, tip_id, command, actor, correlation)
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
    tip_id: str,
    body: UnsubstantiateBody,
    parts: Parts,
    actor: CurrentActor,
    correlation: CorrelationId,
) -> Verified:
    command = UnsubstantiateTip(actor, body.reason, parts.clock.now())
    new_state = await _execute(parts, tip_id, command, actor, correlation)
    return Verified(tip_id=tip_id, status=new_state.status.value)


@router.post(
    "/tips/{tip_id}/contact/decrypt",
    response_model=ContactOut,
    summary="查看举报人联系方式（留痕） / Read the tipster's contact (recorded)",
    description="先写入 ContactDecrypted 事件，再返回明文。 / ContactDecrypted is recorded first.",
)
async def decrypt_contact(
    tip_id: str, body: DecryptBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> ContactOut:
    command = DecryptContact(actor, body.purpose, parts.clock.now())
    state = await _execute(parts, tip_id, command, actor, correlation)
    contact = await asyncio.to_thread(parts.privacy.open_contact, tip_id, state.sealed_contact)
    if contact is None:
        return ContactOut(tip_id=tip_id, erased=True)
    return ContactOut(tip_id=tip_id, erased=False, **contact)


@router.post(
    "/tips/{tip_id}/contact/erase",
    response_model=ContactOut,
    summary="删除举报人联系方式（销毁密钥） / Erase the tipster's contact (crypto-shredding)",
    description=(
        "销毁该线索举报人的密钥，此后任何回放都无法读出联系方式；记录 ContactErased。 / "
        "Shreds the tipster's key, so no replay can ever read the contact; records ContactErased."
    ),
)
async def erase_contact(
    tip_id: str, body: EraseBody, parts: Parts, actor: CurrentActor, correlation: CorrelationId
) -> ContactOut:
    state: TipState = parts.store.require(TIP, tip_id).state
    command = EraseContact(actor, body.reason, parts.clock.now())
    TipDecider().decide(command, state)  # refuse before anything is destroyed
    await asyncio.to_thread(parts.privacy.vault.shred, contact_subject(tip_id))
    await _execute(parts, tip_id, command, actor, correlation)
    return ContactOut(tip_id=tip_id, erased=True)


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
