"""The application object every handler works on: the kernel (event store, clock,
settings) and the directory view the service keeps of ``directory.events``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.rectification.domain.cases.deadlines import next_check_at as case_check_at
from services.rectification.domain.cases.decider import CaseDecider
from services.rectification.domain.cases.state import CASE_EVENTS
from services.rectification.domain.items.deadlines import next_check_at as item_check_at
from services.rectification.domain.items.decider import ItemDecider
from services.rectification.domain.items.state import ITEM_EVENTS
from services.rectification.domain.regulations import REGULATION_EVENTS, RegulationDecider
from shared.actors import Actor
from shared.directory import DirectoryView
from shared.eventstore import AggregateKind, CommandContext, EventStore
from shared.ids import prefixed_id
from shared.kernel.kernel import KernelApp

ITEM = "item"
CASE = "case"
REGULATION = "regulation"

# Who the service's own commands come from: a reaction to intake, the deadline watcher.
SYSTEM_ACTOR = "system:rectification:"
TIMER_ACTOR = "system:rectification-timer:"

AGGREGATE_KINDS = (
    AggregateKind(ITEM, ItemDecider(), ITEM_EVENTS, due=item_check_at),
    AggregateKind(CASE, CaseDecider(), CASE_EVENTS, due=case_check_at),
    AggregateKind(REGULATION, RegulationDecider(), REGULATION_EVENTS),
)


@dataclass
class RectificationApp(KernelApp):
    directory: DirectoryView = field(default_factory=DirectoryView)

    @property
    def store(self) -> EventStore:
        return self.kernel.store

    def now(self) -> datetime:
        return self.clock.now()

    def agency_name(self, agency_id: str) -> str:
        """The agency's name from the directory; empty while it is not known."""
        agency = self.directory.agencies.get(agency_id)
        return agency.name if agency else ""


class Scoped(Protocol):
    """What every item, case and regulation, and every command opening one, records."""

    @property
    def campaign_id(self) -> str: ...

    @property
    def region_code(self) -> str: ...


def context(actor: Actor | str, on: Scoped, **links: str) -> CommandContext:
    """What a command carries into its envelopes: who asks (an actor, or the service
    itself), the campaign and region of the aggregate ``on`` is of, and ``links`` (the
    correlation and causation of an event it reacts to)."""
    return CommandContext(
        actor=actor if isinstance(actor, str) else actor.as_extension(),
        campaign_id=on.campaign_id,
        region_code=on.region_code,
        **links,
    )


async def act(
    app: RectificationApp, kind: str, aggregate_id: str, command: object, actor: Actor, on: Scoped
) -> Any:
    """Execute ``actor``'s ``command`` on an aggregate (of ``on``'s campaign and region);
    its state after."""
    await app.store.execute(kind, aggregate_id, command, context(actor, on))
    return app.store.require(kind, aggregate_id).state


async def check(app: RectificationApp, kind: str, aggregate_id: str, command: object) -> bool:
    """Execute the deadline watcher's ``command`` on an aggregate; True if it emitted
    any event (an aggregate never opened emits none)."""
    state = app.store.state(kind, aggregate_id)
    if state is None:
        return False
    checked = await app.store.execute(kind, aggregate_id, command, context(TIMER_ACTOR, state))
    return bool(checked)


def new_id(prefix: str) -> str:
    return prefixed_id(prefix, 16)
