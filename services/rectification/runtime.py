"""The rectification service's runtime: the shared runtime plus the directory view
and the aggregate kinds it registers."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.rectification.domain import cases, items
from services.rectification.domain.cases import CASE_EVENTS, CaseDecider
from services.rectification.domain.items import ITEM_EVENTS, ItemDecider
from services.rectification.domain.regulations import REGULATION_EVENTS, RegulationDecider
from shared.directory import DirectoryView
from shared.eventstore import AggregateKind, EventStore
from shared.runtime import ServiceRuntime

ITEM = "item"
CASE = "case"
REGULATION = "regulation"

AGGREGATE_KINDS = (
    AggregateKind(ITEM, ItemDecider(), ITEM_EVENTS, due=items.next_check_at),
    AggregateKind(CASE, CaseDecider(), CASE_EVENTS, due=cases.next_check_at),
    AggregateKind(REGULATION, RegulationDecider(), REGULATION_EVENTS),
)


@dataclass
class RectificationRuntime(ServiceRuntime):
    directory: DirectoryView = field(default_factory=DirectoryView)
    tick_seconds: float = 5.0

    @property
    def events(self) -> EventStore:
        assert self.store is not None, "the rectification runtime always has a store"
        return self.store
