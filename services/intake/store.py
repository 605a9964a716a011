"""Intake's event store with the look-ups its API and its deadline watcher need,
folded in the same apply path as decision state (so they are rebuilt by the same
replay) and kept in the same state file."""

from __future__ import annotations

from datetime import datetime

from shared.clock import Clock
from shared.events.base import DomainEvent
from shared.events.intake import (
    ContactErased,
    SelfInspectionReportFiled,
    TipMerged,
    TipReceived,
    TipSubstantiated,
)
from shared.eventstore import AggregateKind, EventStore
from shared.ports import EventLog
from shared.state import Aggregate, StateFile

from .domain.problem import ProblemDecider
from .domain.self_inspection import SelfInspectionDecider
from .domain.tip import TipDecider, escalation_due

TIP = "tip"
PROBLEM = "problem"
SELF_INSPECTION = "self_inspection"

KINDS = (
    AggregateKind(TIP, TipDecider(), TipDecider.events, due=escalation_due),
    AggregateKind(PROBLEM, ProblemDecider(), ProblemDecider.events),
    AggregateKind(SELF_INSPECTION, SelfInspectionDecider(), SelfInspectionDecider.events),
)


class IntakeStore(EventStore):
    """The kernel registers ``KINDS`` (``bootstrap.DEFINITION``)."""

    def __init__(
        self,
        *,
        source: str,
        topic: str,
        publisher: EventLog,
        clock: Clock,
        state: StateFile | None = None,
    ) -> None:
        super().__init__(source=source, topic=topic, publisher=publisher, clock=clock, state=state)
        self.tip_by_receipt = self.state_file.lookup("tip_by_receipt")
        self.tip_by_idempotency_key = self.state_file.lookup("tip_by_idempotency_key")
        self.merged_into = self.state_file.lookup("merged_into")
        # The aggregates whose problems may still lack their ProblemFound: work lists
        # the deadline watcher empties on each pass, so they hold only recent ones.
        self.tips_with_problems = self.state_file.worklist("tips_with_problems")
        self.reports_with_problems = self.state_file.worklist("reports_with_problems")
        # Tipsters whose erasure is recorded but whose keys may not be shredded yet.
        self.tips_to_erase = self.state_file.worklist("tips_to_erase")

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
