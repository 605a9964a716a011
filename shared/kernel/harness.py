"""A deciding service run without a broker, for fast tests of its command handlers,
policies and timers: the same application code, on the in-memory event log and an
in-memory state file (cosmicpython's ``bootstrap_test_app`` with a fake unit of work).
Broker tests keep covering the Kafka adapters and the end-to-end paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic

from shared.clock import Clock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.eventstore import CommandContext
from shared.kafka.consumer import Received
from shared.kernel.definition import AppT, ServiceDefinition
from shared.kernel.memory import InMemoryEventLog
from shared.kernel.process import build_application, kernel_of
from shared.settings import Settings


@dataclass
class ServiceHarness(Generic[AppT]):
    definition: ServiceDefinition[AppT]
    app: AppT
    log: InMemoryEventLog

    @property
    def own_topic(self) -> str:
        return self.definition.topic

    def published(self) -> list[CloudEvent]:
        """Every event the service published on its own topic, in order."""
        return self.log.events(self.own_topic)

    def published_types(self) -> list[str]:
        """The CloudEvents types published on the own topic, in order."""
        return self.log.types(self.own_topic)

    def published_names(self) -> list[str]:
        """The class names of the events published on the own topic (``TipReceived``)."""
        return self.log.names(self.own_topic)

    async def deliver(self, topic: str, envelopes: Iterable[CloudEvent]) -> None:
        """Hand ``envelopes`` of another service's ``topic`` to the views and policies
        that follow it, as the consumers would: encoded, decoded, in order."""
        start = len(self.log.records[topic])
        self.log.publish(topic, list(envelopes))
        for received in self.log.received(topic, start):
            await self._dispatch(received)

    async def deliver_events(
        self, topic: str, events: Iterable[DomainEvent], subject: str, source: str = "/test"
    ) -> list[CloudEvent]:
        """``deliver`` for payloads: each wrapped in an envelope of ``subject`` with a
        gapless sequence, as the owning service would have written it."""
        store = kernel_of(self.app).store
        context = CommandContext(actor=f"system:{source.strip('/')}:")
        envelopes = [
            store.envelope(subject, sequence, event, context).model_copy(update={"source": source})
            for sequence, event in enumerate(events, start=1)
        ]
        await self.deliver(topic, envelopes)
        return envelopes

    async def run_timer(self, name: str) -> object:
        """One pass of the timer called ``name``."""
        for timer in self.definition.timers:
            if timer.name == name:
                return await timer.run(self.app)
        raise KeyError(f"{self.definition.name} has no timer {name}")

    async def _dispatch(self, received: Received) -> None:
        for view in self.definition.views:
            if view.topic == received.topic:
                view.apply(self.app)(received.envelope, received.event)
        for policy in self.definition.policies:
            if policy.topic == received.topic:
                await policy.handle(self.app, received)


def harness(
    definition: ServiceDefinition[AppT], settings: Settings, clock: Clock
) -> ServiceHarness[AppT]:
    """``definition``'s application on an in-memory log, ready (nothing to catch up)."""
    log = InMemoryEventLog()
    app = build_application(definition, settings, clock, log)
    kernel_of(app).ready.set()
    return ServiceHarness(definition, app, log)
