"""Intake's event store with the small indexes its API and its deadline watcher need,
folded in the same apply path as decision state (so they are rebuilt by the same
replay)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from datetime import datetime

from shared.clock import Clock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.intake import (
    ContactDecrypted,
    ContactErased,
    ImplementationPlanFiled,
    ProblemFound,
    SelfAnalysisFiled,
    SelfInspectionReportFiled,
    TipAccepted,
    TipAssigned,
    TipEscalated,
    TipMerged,
    TipReceived,
    TipRejected,
    TipSubstantiated,
    TipTransferred,
    TipUnsubstantiated,
)
from shared.eventstore import AggregateKind, EventStore
from shared.kafka.producer import EventPublisher

from .domain.problem import ProblemDecider
from .domain.self_inspection import SelfInspectionDecider
from .domain.tip import TipDecider, TipState, TipStatus

TIP = "tip"
PROBLEM = "problem"
SELF_INSPECTION = "self_inspection"

KINDS = (
    AggregateKind(
        TIP,
        TipDecider(),
        (
            TipReceived,
            TipAccepted,
            TipRejected,
            TipMerged,
            TipAssigned,
            TipTransferred,
            TipEscalated,
            TipSubstantiated,
            TipUnsubstantiated,
            ContactDecrypted,
            ContactErased,
        ),
    ),
    AggregateKind(PROBLEM, ProblemDecider(), (ProblemFound,)),
    AggregateKind(
        SELF_INSPECTION,
        SelfInspectionDecider(),
        (ImplementationPlanFiled, SelfAnalysisFiled, SelfInspectionReportFiled),
    ),
)


def open_deadline(state: TipState) -> datetime | None:
    """When an open tip becomes overdue: triage while received, verification while
    accepted or assigned; None once it is closed."""
    if state.status is TipStatus.received:
        return state.triage_due_at
    if state.status in (TipStatus.accepted, TipStatus.assigned):
        return state.verification_due_at
    return None


class IntakeStore(EventStore):
    def __init__(self, *, source: str, topic: str, publisher: EventPublisher, clock: Clock) -> None:
        super().__init__(source=source, topic=topic, publisher=publisher, clock=clock)
        for kind in KINDS:
            self.register(kind)
        self.tip_by_receipt: dict[str, str] = {}
        self.tip_by_idempotency_key: dict[str, str] = {}
        self.tip_by_origin: dict[str, str] = {}
        self.merged_into: defaultdict[str, list[str]] = defaultdict(list)
        # The deadline watcher's work lists, so that a pass costs what is due rather
        # than a scan of every tip ever received: (deadline, tip id) for every deadline
        # a tip was given (stale entries are checked against the state when they come
        # due), and the aggregates whose problems may still lack their ProblemFound.
        self.tip_deadlines: list[tuple[datetime, str]] = []
        self.tips_with_problems: set[str] = set()
        self.reports_with_problems: set[str] = set()

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        if not super().apply(envelope, event):
            return False
        if self._kind_of_event.get(type(event)) == TIP:
            due = open_deadline(self._aggregates[envelope.subject].state)
            if due is not None:
                heapq.heappush(self.tip_deadlines, (due, envelope.subject))
        if isinstance(event, TipSubstantiated):
            self.tips_with_problems.add(envelope.subject)
        elif isinstance(event, SelfInspectionReportFiled):
            self.reports_with_problems.add(envelope.subject)
        elif isinstance(event, TipReceived):
            if event.receipt_lookup:
                self.tip_by_receipt[event.receipt_lookup] = event.tip_id
            if event.idempotency_lookup:
                self.tip_by_idempotency_key[event.idempotency_lookup] = event.tip_id
            if event.origin_ref:
                self.tip_by_origin[event.origin_ref] = event.tip_id
        elif isinstance(event, TipMerged):
            self.merged_into[event.into_tip_id].append(event.tip_id)
        return True

    def tips_due(self, now: datetime) -> list[str]:
        """Take the tips whose deadline (as recorded) has come by ``now``, each once."""
        due: dict[str, None] = {}
        while self.tip_deadlines and self.tip_deadlines[0][0] <= now:
            due[heapq.heappop(self.tip_deadlines)[1]] = None
        return list(due)

    def tip_due_again(self, tip_id: str) -> None:
        """Give a taken tip back (its escalation failed); the next pass retries it."""
        due = open_deadline(self.state(TIP, tip_id))
        if due is not None:
            heapq.heappush(self.tip_deadlines, (due, tip_id))
