"""One service's aggregates: decision state folded from its own topic, and the
command path that decides, publishes (acks=all) and only then evolves.

The service process owns every partition of its topic, so it is the single
writer of its aggregates; a per-aggregate lock makes commands for one aggregate
run one at a time. State is rebuilt from offset 0 at start (the log is the truth).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared import correlation
from shared.clock import Clock
from shared.decider import Decider
from shared.envelope import CloudEvent, new_event_id
from shared.errors import NotFound
from shared.events.base import DomainEvent
from shared.kafka.producer import EventPublisher
from shared.keyed_locks import KeyedLocks


@dataclass(frozen=True)
class CommandContext:
    """Where a command comes from; copied into every envelope it produces."""

    actor: str = ""
    campaign_id: str = ""
    region_code: str = ""
    correlation_id: str = ""
    causation_id: str = ""


@dataclass
class Aggregate:
    kind: str
    state: Any
    version: int = 0


@dataclass(frozen=True)
class AggregateKind:
    name: str
    decider: Decider[Any, Any]
    events: tuple[type[DomainEvent], ...]


class EventStore:
    def __init__(self, *, source: str, topic: str, publisher: EventPublisher, clock: Clock) -> None:
        self.source = source
        self.topic = topic
        self._publisher = publisher
        self._clock = clock
        self._kinds: dict[str, AggregateKind] = {}
        self._kind_of_event: dict[type[DomainEvent], str] = {}
        self._aggregates: dict[str, Aggregate] = {}
        self._locks = KeyedLocks()

    def register(self, kind: AggregateKind) -> None:
        self._kinds[kind.name] = kind
        for event_type in kind.events:
            self._kind_of_event[event_type] = kind.name

    # -- reading -----------------------------------------------------------------

    def get(self, kind: str, aggregate_id: str) -> Aggregate | None:
        aggregate = self._aggregates.get(aggregate_id)
        return aggregate if aggregate is not None and aggregate.kind == kind else None

    def state(self, kind: str, aggregate_id: str) -> Any:
        aggregate = self.get(kind, aggregate_id)
        if aggregate is None:
            return self._kinds[kind].decider.initial_state()
        return aggregate.state

    def require(self, kind: str, aggregate_id: str) -> Aggregate:
        aggregate = self.get(kind, aggregate_id)
        if aggregate is None:
            raise NotFound(f"未找到 {aggregate_id}", f"{aggregate_id} not found", field="id")
        return aggregate

    def all(self, kind: str) -> Iterator[tuple[str, Any]]:
        for aggregate_id, aggregate in list(self._aggregates.items()):
            if aggregate.kind == kind:
                yield aggregate_id, aggregate.state

    # -- evolving ----------------------------------------------------------------

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        """Fold one event from the log; an event seen before changes nothing."""
        kind_name = self._kind_of_event.get(type(event))
        if kind_name is None:
            return False
        aggregate = self._aggregates.get(envelope.subject)
        if aggregate is None:
            kind = self._kinds[kind_name]
            aggregate = Aggregate(kind=kind_name, state=kind.decider.initial_state())
            self._aggregates[envelope.subject] = aggregate
        # Each aggregate's events carry a gapless sequence: an event seen before (a
        # re-delivery, a re-published copy) has one this aggregate already applied.
        if envelope.sequence <= aggregate.version:
            return False
        aggregate.state = self._kinds[kind_name].decider.evolve(aggregate.state, event)
        aggregate.version = envelope.sequence
        return True

    # -- deciding ----------------------------------------------------------------

    async def execute(
        self, kind: str, aggregate_id: str, command: Any, context: CommandContext
    ) -> list[CloudEvent]:
        """Decide ``command`` against the aggregate, publish the events and wait for
        the broker's acknowledgement, then evolve. A refusal raises and changes nothing."""
        decider = self._kinds[kind].decider
        if not context.correlation_id:
            context = dataclasses.replace(context, correlation_id=correlation.current())
        async with self._locks.hold(aggregate_id):
            existing = self._aggregates.get(aggregate_id)
            if existing is not None and existing.kind != kind:
                raise NotFound(
                    f"{aggregate_id} 不是 {kind}", f"{aggregate_id} is not a {kind}", field="id"
                )
            state = existing.state if existing else decider.initial_state()
            version = existing.version if existing else 0
            events = decider.decide(command, state)
            envelopes = [
                self.envelope(aggregate_id, version + i + 1, event, context)
                for i, event in enumerate(events)
            ]
            if envelopes:
                await self._publisher.publish_async(self.topic, envelopes)
            for envelope, event in zip(envelopes, events, strict=True):
                self.apply(envelope, event)
            return envelopes

    def envelope(
        self, aggregate_id: str, sequence: int, event: DomainEvent, context: CommandContext
    ) -> CloudEvent:
        return CloudEvent(
            id=new_event_id(),
            source=self.source,
            type=event.type_string(),
            subject=aggregate_id,
            time=self._clock.now(),
            dataschema=event.schema_id(),
            data=event.model_dump(mode="json"),
            sequence=sequence,
            partitionkey=aggregate_id,
            campaignid=context.campaign_id,
            regioncode=context.region_code,
            actor=context.actor,
            correlationid=context.correlation_id,
            causationid=context.causation_id,
        )
