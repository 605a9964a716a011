"""What every staff route on one tip shares: reading it for an actor (authorization
before existence), executing a command on it, and its staff view."""

from __future__ import annotations

from shared.access_policy import Resource, readers_of
from shared.actors import Actor, Role
from shared.eventstore import CommandContext

from ..domain.access import no_such_tip
from ..domain.commands import TipCommand
from ..domain.tip import STATUS_ZH, TipState, roles_for, visible_to
from ..parts import IntakeParts
from ..store import TIP
from .models import TipView

# The roles that read tips somewhere: the access policy's row, checked before any look-up.
READER_ROLES = readers_of(Resource.tip)


def _merged_visible(parts: IntakeParts, actor: Actor, tip_id: str) -> list[str]:
    """The duplicates merged into ``tip_id`` that ``actor`` may know of."""
    shown = []
    for merged_id in parts.store.merged_into.values(tip_id):
        aggregate = parts.store.get(TIP, merged_id)
        if aggregate is not None and visible_to(actor, aggregate.state):
            shown.append(merged_id)
    return shown


def tip_view(parts: IntakeParts, actor: Actor, tip_id: str, state: TipState) -> TipView:
    return TipView(
        tip_id=tip_id,
        status=state.status.value,
        status_zh=STATUS_ZH[state.status],
        campaign_id=state.campaign_id,
        channel=state.channel.value if state.channel else "",
        region_code=state.region_code,
        handling_region_code=state.handling_region_code,
        agency_id=state.agency_id,
        has_text=bool(state.sealed_text),
        anonymous=not state.has_contact,
        triage_due_at=state.triage_due_at,
        verification_due_at=state.verification_due_at,
        escalated=sorted(state.escalated),
        assignee=state.assignee,
        merged_into=state.merged_into,
        merged_tips=_merged_visible(parts, actor, tip_id),
        referred_to=state.referred_to,
        problem_ids=list(state.problem_ids),
        received_at=state.received_at,
        updated_at=state.updated_at,
    )


def visible_tip(parts: IntakeParts, actor: Actor, tip_id: str, *roles: Role) -> TipState:
    """The tip's state, for an actor of one of ``roles`` who may see it. The role is
    checked first; an unknown tip and one the actor may not see get the same 404."""
    actor.require(*roles)
    aggregate = parts.store.get(TIP, tip_id)
    state: TipState | None = aggregate.state if aggregate is not None else None
    if state is None or not visible_to(actor, state):
        raise no_such_tip()
    return state


async def execute(
    parts: IntakeParts, tip_id: str, command: TipCommand, actor: Actor, correlation: str
) -> TipState:
    state = visible_tip(parts, actor, tip_id, *roles_for(command))
    context = CommandContext(
        actor=actor.as_extension(),
        campaign_id=state.campaign_id,
        region_code=state.region_code,
        correlation_id=correlation,
    )
    await parts.store.execute(TIP, tip_id, command, context)
    new_state: TipState = parts.store.state(TIP, tip_id)
    return new_state
