"""Typical cases: opening, referrals and their acknowledgement, exposure,
accountability, the lists, the public's exposed cases and the referral check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.rectification.application.app import CASE, RectificationApp, act, check, new_id
from services.rectification.application.lookups import known_items, visible_case
from services.rectification.domain.access import require_region
from services.rectification.domain.cases.commands import (
    AcknowledgeReferral,
    CaseCommand,
    CheckReferrals,
    ExposeCase,
    ImposeAccountability,
    OpenCase,
    ReferCase,
)
from services.rectification.domain.cases.decider import CASE_ROLES
from services.rectification.domain.cases.state import CASE_PREFIX, CaseState
from services.rectification.domain.reading import case_list_scope
from shared.actors import Actor
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseKind,
    CaseOrigin,
    ReferralBody,
)
from shared.paging import window
from shared.regions import jiangxi, known_region


async def _act(
    app: RectificationApp, actor: Actor, case_id: str, command: CaseCommand
) -> CaseState:
    case = visible_case(app, actor, case_id)
    changed: CaseState = await act(app, CASE, case_id, command, actor, case)
    return changed


async def open_case(
    app: RectificationApp,
    actor: Actor,
    *,
    kind: CaseKind,
    origin: CaseOrigin,
    title: str,
    summary: str,
    problem_ids: Sequence[str],
    region_code: str | None = None,
) -> CaseState:
    """A case in ``region_code`` (the actor's by default) on problems whose items lie
    in it; the campaign is the first problem's."""
    actor.require(*CASE_ROLES)
    region = known_region(region_code or actor.region_code)
    require_region(actor, region)
    items = known_items(app, problem_ids, region)
    command = OpenCase(
        actor=actor,
        case_id=new_id(CASE_PREFIX),
        campaign_id=items[0].campaign_id,
        region_code=region,
        kind=kind,
        origin=origin,
        title=title,
        summary=summary,
        problem_ids=tuple(problem_ids),
        agency_ids=tuple(i.agency_id for i in items),
        at=app.now(),
    )
    opened: CaseState = await act(app, CASE, command.case_id, command, actor, command)
    return opened


def get_case(app: RectificationApp, actor: Actor, case_id: str) -> CaseState:
    return visible_case(app, actor, case_id)


def list_cases(
    app: RectificationApp,
    actor: Actor,
    *,
    region_code: str | None = None,
    kind: CaseKind | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[CaseState]]:
    """The cases of the region (the actor's by default) and below: how many, and one
    page of them (first opened first)."""
    region = case_list_scope(actor, region_code)
    regions = jiangxi()
    chosen = (
        case
        for _, case in app.store.all(CASE)
        if case is not None
        and regions.is_within(case.region_code, region)
        and (kind is None or case.kind is kind)
    )
    return window(chosen, key=lambda c: (c.opened_at, c.case_id), offset=offset, limit=limit)


def exposed_cases(
    app: RectificationApp, region_code: str, *, offset: int = 0, limit: int = 50
) -> tuple[int, list[CaseState]]:
    """The exposed cases of a region and below, for anyone: latest exposure first."""
    region = known_region(region_code)
    regions = jiangxi()
    exposed = (
        case
        for _, case in app.store.all(CASE)
        if case is not None
        and case.exposure is not None
        and regions.is_within(case.region_code, region)
    )

    def latest_first(case: CaseState) -> tuple[float, str]:
        assert case.exposure is not None
        return -case.exposure.exposed_at.timestamp(), case.exposure.headline

    return window(exposed, key=latest_first, offset=offset, limit=limit)


async def refer(
    app: RectificationApp,
    actor: Actor,
    case_id: str,
    *,
    body: ReferralBody,
    receiving_body: str,
    reason: str,
    acknowledge_by: date | None = None,
) -> CaseState:
    """Refer the case; without ``acknowledge_by`` the receiving body has the campaign's
    ``referral_ack_days`` to acknowledge it."""
    case = visible_case(app, actor, case_id)
    command = ReferCase(
        actor=actor,
        referral_id=new_id("ref-"),
        body=body,
        receiving_body=receiving_body,
        reason=reason,
        acknowledge_by=acknowledge_by,
        default_ack_days=app.directory.rules(case.campaign_id).referral_ack_days,
        at=app.now(),
    )
    return await _act(app, actor, case_id, command)


async def acknowledge(
    app: RectificationApp,
    actor: Actor,
    case_id: str,
    referral_id: str,
    *,
    reference_no: str = "",
    note: str = "",
) -> CaseState:
    command = AcknowledgeReferral(actor, referral_id, reference_no, note, app.now())
    return await _act(app, actor, case_id, command)


async def expose(
    app: RectificationApp, actor: Actor, case_id: str, *, headline: str, summary: str, channel: str
) -> CaseState:
    command = ExposeCase(actor, headline, summary, channel, app.now())
    return await _act(app, actor, case_id, command)


async def impose_accountability(
    app: RectificationApp,
    actor: Actor,
    case_id: str,
    *,
    target: AccountabilityTarget,
    target_ref: str,
    grounds: Sequence[AccountabilityGround],
    measure: AccountabilityMeasure,
    note: str = "",
) -> CaseState:
    command = ImposeAccountability(
        actor=actor,
        decision_id=new_id("acc-"),
        target=target,
        target_ref=target_ref,
        grounds=tuple(grounds),
        measure=measure,
        note=note,
        at=app.now(),
    )
    return await _act(app, actor, case_id, command)


async def check_referrals(app: RectificationApp, case_id: str, at: datetime) -> bool:
    """Flag every referral of the case overdue by ``at``; True if any was."""
    return await check(app, CASE, case_id, CheckReferrals(at=at))
