"""A tip as staff reach it: the role first, then one answer for an unknown tip and
for one the reader may not see; the region's queue; a command executed on a tip."""

from __future__ import annotations

from dataclasses import dataclass

from shared.access_policy import Resource, readers_of
from shared.actors import Actor, Role
from shared.eventstore import CommandContext
from shared.paging import window
from shared.regions import jiangxi, known_region

from ..domain.access import no_such_tip
from ..domain.commands import TipCommand
from ..domain.tip import TipState, TipStatus, roles_for, visible_to
from ..store import TIP
from .app import IntakeApp

# The roles that read tips somewhere: the access policy's row, checked before any look-up.
READER_ROLES = readers_of(Resource.tip)

# The queue's order: tips still waiting for triage or verification first, then the rest;
# oldest first within each.
OPEN_FIRST = {TipStatus.received: 0, TipStatus.accepted: 1, TipStatus.assigned: 2}


@dataclass(frozen=True)
class SeenTip:
    """A tip as one reader sees it: ``merged_tips`` holds only the duplicates merged
    into it that the reader may know of."""

    tip_id: str
    state: TipState
    merged_tips: tuple[str, ...] = ()


def visible_tip(app: IntakeApp, actor: Actor, tip_id: str, *roles: Role) -> TipState:
    """The tip's state, for an actor of one of ``roles`` who may see it. The role is
    checked first; an unknown tip and one the actor may not see get the same 404."""
    actor.require(*roles)
    aggregate = app.store.get(TIP, tip_id)
    state: TipState | None = aggregate.state if aggregate is not None else None
    if state is None or not visible_to(actor, state):
        raise no_such_tip()
    return state


def seen_by(app: IntakeApp, actor: Actor, tip_id: str, state: TipState) -> SeenTip:
    shown = []
    for merged_id in app.store.merged_into.values(tip_id):
        aggregate = app.store.get(TIP, merged_id)
        if aggregate is not None and visible_to(actor, aggregate.state):
            shown.append(merged_id)
    return SeenTip(tip_id, state, tuple(shown))


async def execute_on_tip(
    app: IntakeApp, actor: Actor, tip_id: str, command: TipCommand, correlation_id: str
) -> TipState:
    """Decide ``command`` on a tip ``actor`` may act on; the tip's state after it."""
    state = visible_tip(app, actor, tip_id, *roles_for(command))
    context = CommandContext(
        actor=actor.as_extension(),
        campaign_id=state.campaign_id,
        region_code=state.region_code,
        correlation_id=correlation_id,
    )
    await app.store.execute(TIP, tip_id, command, context)
    new_state: TipState = app.store.state(TIP, tip_id)
    return new_state


async def get_tip(app: IntakeApp, actor: Actor, tip_id: str) -> SeenTip:
    return seen_by(app, actor, tip_id, visible_tip(app, actor, tip_id, *READER_ROLES))


async def list_tips(
    app: IntakeApp,
    actor: Actor,
    *,
    status: TipStatus | None = None,
    region_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[SeenTip]]:
    """The tips ``actor`` may see (of ``status``, in ``region_code`` and below), open
    first: how many, and one page."""
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
        ((tip_id, state) for tip_id, state in app.store.all(TIP) if listed(state)),
        key=lambda row: (OPEN_FIRST.get(row[1].status, 9), row[1].received_at, row[0]),
        offset=offset,
        limit=limit,
    )
    return total, [seen_by(app, actor, tip_id, state) for tip_id, state in page]
