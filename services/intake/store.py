"""Intake's event store with the look-ups its API and its deadline watcher need,
folded in the same apply path as decision state (so they are rebuilt by the same
replay) and kept in the same state file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from shared.events.base import DomainEvent
from shared.events.intake import (
    ContactErased,
    SelfInspectionReportFiled,
    TipMerged,
    TipReceived,
    TipSubstantiated,
)
from shared.eventstore import AggregateKind, EventStore
from shared.state import Aggregate, StateFile

from .domain.problem import ProblemDecider
from .domain.self_inspection import SelfInspectionDecider
from .domain.tip import TipDecider, escalation_due

TIP = "tip"
PROBLEM = "problem"
SELF_INSPECTION = "self_inspection"
T = TypeVar("T")

KINDS = (
    AggregateKind(TIP, TipDecider(), TipDecider.events, due=escalation_due),
    AggregateKind(PROBLEM, ProblemDecider(), ProblemDecider.events),
    AggregateKind(SELF_INSPECTION, SelfInspectionDecider(), SelfInspectionDecider.events),
)


class _Kept(Generic[T]):
    """A look-up or work list in the store's state file, named after its attribute;
    folded in the same path as decision state (``IntakeStore.applied``)."""

    def __init__(self, open_in: Callable[[StateFile, str], T]) -> None:
        self._open_in = open_in
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, store: EventStore, owner: type | None = None) -> T:
        return self._open_in(store.state_file, self._name)


class IntakeStore(EventStore):
    """The kernel registers ``KINDS`` (``bootstrap.DEFINITION``)."""

    tip_by_receipt = _Kept(StateFile.lookup)
    tip_by_idempotency_key = _Kept(StateFile.lookup)
    merged_into = _Kept(StateFile.lookup)
    # The aggregates whose problems may still lack their ProblemFound: work lists
    # the deadline watcher empties on each pass, so they hold only recent ones.
    tips_with_problems = _Kept(StateFile.worklist)
    reports_with_problems = _Kept(StateFile.worklist)
    # Tipsters whose erasure is recorded but whose keys may not be shredded yet.
    tips_to_erase = _Kept(StateFile.worklist)

    def applied(self, aggregate_id: str, aggregate: Aggregate, event: DomainEvent) -> None:
        if isinstance(event, TipSubstantiated):
            self.tips_with_problems.add(aggregate_id)
        elif isinstance(event, SelfInspectionReportFiled):
            self.reports_with_problems.add(aggregate_id)
        elif isinstance(event, TipReceived):
            if event.receipt_lookup:
                self.tip_by_receipt.put(event.receipt_lookup, event.tip_id)
            if event.idempotency_lookup:
                self.tip_by_idempotency_key.put(event.idempotency_lookup, event.tip_id)
        elif isinstance(event, TipMerged):
            self.merged_into.put(event.into_tip_id, event.tip_id)
        elif isinstance(event, ContactErased):
            self.tips_to_erase.add(event.tip_id)

    def tips_due(self, now: datetime) -> list[str]:
        """The open tips whose deadline has come by ``now`` and that were not yet
        escalated at their stage, earliest first."""
        return [tip_id for _, tip_id in self.due((TIP,), now)]
