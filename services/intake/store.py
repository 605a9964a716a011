"""Intake's event store with the small indexes its API needs, folded in the same
apply path as decision state (so they are rebuilt by the same replay)."""

from __future__ import annotations

from collections import defaultdict

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
from .domain.tip import TipDecider

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


class IntakeStore(EventStore):
    def __init__(self, *, source: str, topic: str, publisher: EventPublisher, clock: Clock) -> None:
        super().__init__(source=source, topic=topic, publisher=publisher, clock=clock)
        for kind in KINDS:
            self.register(kind)
        self.tip_by_receipt: dict[str, str] = {}
        self.tip_by_idempotency_key: dict[str, str] = {}
        self.tip_by_origin: dict[str, str] = {}
        self.merged_into: defaultdict[str, list[str]] = defaultdict(list)

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        applied = super().apply(envelope, event)
        if applied and isinstance(event, TipReceived):
            if event.receipt_lookup:
                self.tip_by_receipt[event.receipt_lookup] = event.tip_id
            if event.idempotency_lookup:
                self.tip_by_idempotency_key[event.idempotency_lookup] = event.tip_id
            if event.origin_ref:
                self.tip_by_origin[event.origin_ref] = event.tip_id
        elif applied and isinstance(event, TipMerged):
            self.merged_into[event.into_tip_id].append(event.tip_id)
        return applied
