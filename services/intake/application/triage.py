"""Triage by intake officers: accept, reject and refer, merge a duplicate, assign for
verification, transfer to another region. Notes and reasons are sealed under the
tip's key before they reach a command (they may quote the tipster)."""

from __future__ import annotations

from shared.actors import Actor

from ..domain.commands import AcceptTip, AssignTip, MergeTip, RejectTip, TargetTip, TransferTip
from ..domain.tip import TRIAGE_ROLES, TipState
from ..store import TIP
from .app import IntakeApp
from .tips import SeenTip, execute_on_tip, seen_by, visible_tip


async def accept_tip(
    app: IntakeApp, actor: Actor, tip_id: str, *, note: str = "", correlation_id: str = ""
) -> SeenTip:
    state = visible_tip(app, actor, tip_id, *TRIAGE_ROLES)
    due = app.directory.verification_due(state.campaign_id, app.clock.now())
    sealed = await app.privacy.seal(tip_id, note)
    command = AcceptTip(actor, due, app.clock.now(), note=note, sealed_note=sealed)
    return await _done(app, actor, tip_id, command, correlation_id)


async def reject_tip(
    app: IntakeApp,
    actor: Actor,
    tip_id: str,
    *,
    reason: str,
    referred_to: str = "",
    correlation_id: str = "",
) -> SeenTip:
    visible_tip(app, actor, tip_id, *TRIAGE_ROLES)
    sealed = await app.privacy.seal(tip_id, reason)
    command = RejectTip(
        actor, reason, app.clock.now(), referred_to=referred_to, sealed_reason=sealed
    )
    return await _done(app, actor, tip_id, command, correlation_id)


async def merge_tip(
    app: IntakeApp, actor: Actor, tip_id: str, *, into_tip_id: str, correlation_id: str = ""
) -> SeenTip:
    """The decider judges the target from its state (``TargetTip``), so that an actor
    who may not see it gets the answer an unknown id gets."""
    visible_tip(app, actor, tip_id, *TRIAGE_ROLES)
    target_aggregate = app.store.get(TIP, into_tip_id)
    target = None
    if target_aggregate is not None:
        t: TipState = target_aggregate.state
        target = TargetTip(
            into_tip_id, t.status, t.campaign_id, t.region_code, t.handling_region_code
        )
    command = MergeTip(actor, target, into_tip_id, app.clock.now())
    return await _done(app, actor, tip_id, command, correlation_id)


async def assign_tip(
    app: IntakeApp,
    actor: Actor,
    tip_id: str,
    *,
    assignee: str,
    note: str = "",
    correlation_id: str = "",
) -> SeenTip:
    state = visible_tip(app, actor, tip_id, *TRIAGE_ROLES)
    now = app.clock.now()
    due = app.directory.verification_due(state.campaign_id, now)
    sealed = await app.privacy.seal(tip_id, note)
    command = AssignTip(actor, assignee, due, now, note=note, sealed_note=sealed)
    return await _done(app, actor, tip_id, command, correlation_id)


async def transfer_tip(
    app: IntakeApp,
    actor: Actor,
    tip_id: str,
    *,
    to_region_code: str,
    reason: str,
    correlation_id: str = "",
) -> SeenTip:
    state = visible_tip(app, actor, tip_id, *TRIAGE_ROLES)
    now = app.clock.now()
    due = app.directory.triage_due(state.campaign_id, now)
    sealed = await app.privacy.seal(tip_id, reason)
    command = TransferTip(
        actor, reason, now, to_region_code=to_region_code, triage_due_at=due, sealed_reason=sealed
    )
    return await _done(app, actor, tip_id, command, correlation_id)


async def _done(
    app: IntakeApp,
    actor: Actor,
    tip_id: str,
    command: AcceptTip | RejectTip | MergeTip | AssignTip | TransferTip,
    correlation_id: str,
) -> SeenTip:
    state = await execute_on_tip(app, actor, tip_id, command, correlation_id)
    return seen_by(app, actor, tip_id, state)
