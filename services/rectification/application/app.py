"""The application object every handler works on: the kernel (event store, clock,
settings) and the directory view the service keeps of ``directory.events``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
from shared.kernel.kernel import Kernel

ITEM = "item"
CASE = "case"
REGULATION = "regulation"

AGGREGATE_KINDS = (
    AggregateKind(ITEM, ItemDecider(), ITEM_EVENTS, due=item_check_at),
    AggregateKind(CASE, CaseDecider(), CASE_EVENTS, due=case_check_at),
    AggregateKind(REGULATION, RegulationDecider(), REGULATION_EVENTS),
)


@dataclass
class RectificationApp:
    kernel: Kernel
    directory: DirectoryView = field(default_factory=DirectoryView)

    @classmethod
    def build(cls, kernel: Kernel) -> RectificationApp:
        return cls(kernel)

    @property
    def store(self) -> EventStore:
        return self.kernel.store

    def now(self) -> datetime:
        return self.kernel.clock.now()

    def agency_name(self, agency_id: str) -> str:
        """The agency's name from the directory; empty while it is not known."""
        agency = self.directory.agencies.get(agency_id)
        return agency.name if agency else ""


def context(actor: Actor, campaign_id: str, region_code: str) -> CommandContext:
    """What an actor's command carries into its envelopes."""
    return CommandContext(
        actor=actor.as_extension(), campaign_id=campaign_id, region_code=region_code
    )


def new_id(prefix: str) -> str:
    return prefixed_id(prefix, 16)
