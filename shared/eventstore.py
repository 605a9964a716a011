"""One service's aggregates: decision state folded from its own topic, and the
command path that decides, publishes (acks=all) and only then evolves.

The service process owns every partition of its topic, so it is the single
writer of its aggregates; a per-aggregate lock makes commands for one aggregate
run one at a time. State lives in a local state file (``shared.state``), not in
memory: folded from the topic at start, from where the file left off (the log is the
truth; the file records how far into it the state goes), and by each command after
its events are acknowledged.

Each kind's state is kept as a document of its ``state_type`` at its
``state_version``: a change to the state's shape bumps the version, with an upcaster
from the old one when the old documents can be carried over, and without one when the
kind should be folded again from the log (that kind alone).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Self

from shared import correlation
from shared.clock import Clock
from shared.decider import Decider
from shared.envelope import CloudEvent
from shared.errors import NotFound
from shared.events.base import DomainEvent
from shared.keyed_locks import KeyedLocks
from shared.ports import EventLog
from shared.settings import Settings
from shared.state import Aggregate, StateCodec, StateFile, Upcaster, service_state_file


@dataclass(frozen=True)
class CommandContext:
    """Where a command comes from; copied into every envelope it produces."""

    actor: str = ""
    campaign_id: str = ""
    region_code: str = ""
    correlation_id: str = ""
    causation_id: str = ""


@dataclass(frozen=True)
class AggregateKind:
    """``due``: when a timer should next look at an aggregate in this state (None:
    nothing pending); kept beside the state so that a timer's pass costs what is due,
    not a scan of every aggregate.

    ``state_type``: what the decider's states are (by default the return type of its
    ``initial_state``), stored as documents of ``state_version``; ``upcasters[n]``
    turns a document of version n into one of n + 1."""

    name: str
    decider: Decider[Any, Any]
    events: tuple[type[DomainEvent], ...]
    due: Callable[[Any], datetime | None] | None = None
    state_type: Any = None
    state_version: int = 1
    upcasters: Mapping[int, Upcaster] = field(default_factory=dict)

    @cached_property
    def codec(self) -> StateCodec:
        """The kind's one codec (and ``TypeAdapter``), built when first asked for."""
        state_type = self.state_type
        if state_type is None:
            state_type = typing.get_type_hints(type(self.decider).initial_state)["return"]
        return StateCodec(state_type, self.state_version, self.upcasters)


class EventStore:
    def __init__(
        self,
        *,
        source: str,
        topic: str,
        publisher: EventLog,
        clock: Clock,
        state: StateFile | None = None,
    ) -> None:
        """``state``: where decision state is kept (in memory when not given)."""
        self.source = source
        self.topic = topic
        self._publisher = publisher
        self._clock = clock
        self._kinds: dict[str, AggregateKind] = {}
        self._kind_of_event: dict[type[DomainEvent], str] = {}
        self.state_file = state if state is not None else StateFile()
        self._locks = KeyedLocks()

    @classmethod
    def for_service(
        cls, service: str, topic: str, settings: Settings, publisher: EventLog, clock: Clock
    ) -> Self:
        """The store of a service process: events from ``/<service>``, state in the
        service's state file under its data directory (``DataDirectoryInUse`` while
        another process of the service holds it)."""
        return cls(
            source=f"/{service}",
            topic=topic,
            publisher=publisher,
            clock=clock,
            state=service_state_file(settings.data_dir, service),
        )

    def register(self, kind: AggregateKind) -> None:
        self._kinds[kind.name] = kind
        self.state_file.register(kind.name, kind.codec)
        for event_type in kind.events:
            self._kind_of_event[event_type] = kind.name

    # -- reading -----------------------------------------------------------------

    def get(self, kind: str, aggregate_id: str) -> Aggregate | None:
        aggregate = self.state_file.load(aggregate_id)
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
        return self.state_file.scan(kind)

    def due(self, kinds: Sequence[str], now: datetime) -> list[tuple[str, str]]:
        """The aggregates of ``kinds`` (as kind, id) whose ``AggregateKind.due`` has come
        by ``now``, earliest first."""
        return self.state_file.due(kinds, now)

    # -- evolving ----------------------------------------------------------------

    def apply(
        self, envelope: CloudEvent, event: DomainEvent, kinds: Collection[str] | None = None
    ) -> bool:
        """Fold one event from the log; an event seen before changes nothing. ``kinds``:
        fold it only into aggregates of these kinds (a refold of some kinds)."""
        kind_name = self._kind_of_event.get(type(event))
        if kind_name is None or (kinds is not None and kind_name not in kinds):
            return False
        aggregate = self.state_file.load(envelope.subject)
        if aggregate is None:
            kind = self._kinds[kind_name]
            aggregate = Aggregate(kind=kind_name, state=kind.decider.initial_state(), version=0)
        return self._evolve(envelope.subject, aggregate, [(envelope, event)])

    def _evolve(
        self,
        aggregate_id: str,
        aggregate: Aggregate,
        events: list[tuple[CloudEvent, DomainEvent]],
    ) -> bool:
        """Fold ``events`` into ``aggregate`` and store it; False if none was new."""
        kind = self._kinds[aggregate.kind]
        applied = False
        for envelope, event in events:
            # Each aggregate's events carry a gapless sequence: an event seen before (a
            # re-delivery, a re-published copy) has one this aggregate already applied.
            if envelope.sequence <= aggregate.version:
                continue
            aggregate.state = kind.decider.evolve(aggregate.state, event)
            aggregate.version = envelope.sequence
            self.applied(aggregate_id, aggregate, event)
            applied = True
        if applied:
            due = kind.due(aggregate.state) if kind.due is not None else None
            self.state_file.save(aggregate_id, aggregate, due)
        return applied

    def applied(self, aggregate_id: str, aggregate: Aggregate, event: DomainEvent) -> None:
        """Called once for each event folded (from the log or from a command): a store
        with indexes of its own keeps them here."""

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
            aggregate = self.state_file.load(aggregate_id)
            if aggregate is None:
                aggregate = Aggregate(kind=kind, state=decider.initial_state(), version=0)
            elif aggregate.kind != kind:
                raise NotFound(
                    f"{aggregate_id} 不是 {kind}", f"{aggregate_id} is not a {kind}", field="id"
                )
            events = decider.decide(command, aggregate.state)
            envelopes = [
                self.envelope(aggregate_id, aggregate.version + i + 1, event, context)
                for i, event in enumerate(events)
            ]
            if envelopes:
                acknowledged = await self._publisher.publish_async(self.topic, envelopes)
                # The lock kept every other command off this aggregate meanwhile, so the
                # state decided on is still the stored one.
                self._evolve(aggregate_id, aggregate, list(zip(envelopes, events, strict=True)))
                for ack, envelope in zip(acknowledged, envelopes, strict=True):
                    self.state_file.folded(self.topic, ack.partition, ack.offset, envelope.id)
            return envelopes

    def envelope(
        self, aggregate_id: str, sequence: int, event: DomainEvent, context: CommandContext
    ) -> CloudEvent:
        return event.enveloped(
            aggregate_id,
            sequence,
            self._clock.now(),
            source=self.source,
            campaignid=context.campaign_id,
            regioncode=context.region_code,
            actor=context.actor,
            correlationid=context.correlation_id,
            causationid=context.causation_id,
        )
