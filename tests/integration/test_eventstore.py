"""Decide, publish, evolve; and rebuild the same state from the log after a restart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from shared.clock import SimulatedClock
from shared.decider import Decider
from shared.errors import Conflict
from shared.events.base import DomainEvent
from shared.events.directory import AgencyRecord, AgencyRegistered
from shared.eventstore import AggregateKind, CommandContext, EventStore
from shared.kafka.admin import ensure_topics
from shared.kafka.producer import EventPublisher
from shared.kafka.replay import replay_topic
from shared.settings import Settings
from shared.testing import given
from shared.topics import TopicSpec
from shared.vocabulary import AdminLevel, Power, Sector

pytestmark = pytest.mark.kafka


@dataclass(frozen=True)
class Register:
    agency: AgencyRecord


class AgencyBook(Decider[Register, AgencyRecord | None]):
    def initial_state(self) -> AgencyRecord | None:
        return None

    def decide(self, command: Register, state: AgencyRecord | None) -> Sequence[DomainEvent]:
        if state is not None:
            raise Conflict("机关已登记", "agency already registered")
        return [AgencyRegistered(agency=command.agency)]

    def evolve(self, state: AgencyRecord | None, event: DomainEvent) -> AgencyRecord | None:
        assert isinstance(event, AgencyRegistered)
        return event.agency


def record(agency_id: str) -> AgencyRecord:
    return AgencyRecord(
        agency_id=agency_id,
        name="九江市市场监督管理局",
        region_code="360400",
        level=AdminLevel.city,
        sector=Sector.market_supervision,
        powers=(Power.inspection,),
    )


def test_the_decider_helper_reads_given_when_then() -> None:
    given(AgencyBook()).when(Register(record("a-1"))).then(AgencyRegistered(agency=record("a-1")))
    given(AgencyBook(), AgencyRegistered(agency=record("a-1"))).when(
        Register(record("a-1"))
    ).then_refused(Conflict, "already registered")


def new_store(settings: Settings, topic: str) -> EventStore:
    store = EventStore(
        source="/test",
        topic=topic,
        publisher=EventPublisher(settings),
        clock=SimulatedClock(datetime(2016, 6, 6, tzinfo=UTC)),
    )
    store.register(AggregateKind("agency", AgencyBook(), (AgencyRegistered,)))
    return store


def test_state_is_rebuilt_from_the_log_after_a_restart(broker_settings: Settings) -> None:
    topic = f"store-test-{uuid.uuid4().hex[:8]}.events"
    ensure_topics(broker_settings, [TopicSpec(topic, 3, 1, {"retention.ms": "-1"})])
    store = new_store(broker_settings, topic)
    context = CommandContext(actor="admin:office:360000", region_code="360400")

    [envelope] = asyncio.run(store.execute("agency", "a-9", Register(record("a-9")), context))
    assert (envelope.sequence, envelope.subject, envelope.regioncode) == (1, "a-9", "360400")
    with pytest.raises(Conflict):
        asyncio.run(store.execute("agency", "a-9", Register(record("a-9")), context))

    restarted = new_store(broker_settings, topic)
    assert replay_topic(broker_settings, topic, restarted.apply) == 1
    aggregate = restarted.require("agency", "a-9")
    assert aggregate.version == 1
    assert aggregate.state == record("a-9")
    # Applying the same event again (at-least-once delivery) changes nothing.
    assert restarted.apply(envelope, AgencyRegistered(agency=record("a-9"))) is False
