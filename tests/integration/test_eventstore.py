"""Decide, publish, evolve; and rebuild the same state from the log after a restart."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.clock import SimulatedClock
from shared.decider import Decider
from shared.errors import Conflict
from shared.events.base import DomainEvent
from shared.events.directory import AgencyChanged, AgencyRecord, AgencyRegistered
from shared.eventstore import AggregateKind, CommandContext, EventStore
from shared.kafka.admin import ensure_topics
from shared.kafka.producer import EventPublisher
from shared.kafka.replay import catch_up, replay_topic
from shared.settings import Settings
from shared.state import Aggregate, StateFile
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


class AgencyEdits(Decider[Register, AgencyRecord | None]):
    """A second kind: every edit is kept (its ids are ``e-…``)."""

    def initial_state(self) -> AgencyRecord | None:
        return None

    def decide(self, command: Register, state: AgencyRecord | None) -> Sequence[DomainEvent]:
        return [AgencyChanged(agency=command.agency)]

    def evolve(self, state: AgencyRecord | None, event: DomainEvent) -> AgencyRecord | None:
        assert isinstance(event, AgencyChanged)
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


def new_store(
    settings: Settings,
    topic: str,
    state: StateFile | None = None,
    *,
    agency_version: int = 1,
    edits: bool = False,
) -> EventStore:
    store = EventStore(
        source="/test",
        topic=topic,
        publisher=EventPublisher(settings),
        clock=SimulatedClock(datetime(2016, 6, 6, tzinfo=UTC)),
        state=state,
    )
    store.register(
        AggregateKind("agency", AgencyBook(), (AgencyRegistered,), state_version=agency_version)
    )
    if edits:
        store.register(AggregateKind("edit", AgencyEdits(), (AgencyChanged,)))
    return store


def new_topic(settings: Settings, partitions: int) -> str:
    topic = f"store-test-{uuid.uuid4().hex[:8]}.events"
    ensure_topics(settings, [TopicSpec(topic, partitions, 1, {"retention.ms": "-1"})])
    return topic


def test_state_is_rebuilt_from_the_log_after_a_restart(broker_settings: Settings) -> None:
    topic = new_topic(broker_settings, 3)
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


def store_on_file(settings: Settings, topic: str, path: Path) -> EventStore:
    return new_store(settings, topic, StateFile(path))


def catch_up_store(settings: Settings, topic: str, store: EventStore) -> int:
    """How many events the store's state file had not seen and reads from the log now."""
    return catch_up(settings, topic, store.state_file, store.apply)


def register(store: EventStore, *agency_ids: str) -> None:
    context = CommandContext(actor="admin:office:360000", region_code="360400")

    async def run() -> None:
        for agency_id in agency_ids:
            await store.execute("agency", agency_id, Register(record(agency_id)), context)

    asyncio.run(run())


def test_a_restarted_store_reads_on_from_where_its_state_file_left_off(
    broker_settings: Settings, tmp_path: Path
) -> None:
    topic = new_topic(broker_settings, 3)
    path = tmp_path / "state.sqlite"
    first = store_on_file(broker_settings, topic, path)
    assert catch_up_store(broker_settings, topic, first) == 0
    register(first, *(f"a-{i}" for i in range(6)))
    first.state_file.close()

    # Its own acknowledged events moved the positions: nothing to read again.
    second = store_on_file(broker_settings, topic, path)
    assert second.state_file.resumed
    assert catch_up_store(broker_settings, topic, second) == 0
    assert second.require("agency", "a-5").state == record("a-5")
    second.state_file.close()

    # Events the file never saw (a process killed before its batch was committed).
    register(new_store(broker_settings, topic), "b-1", "b-2")
    third = store_on_file(broker_settings, topic, path)
    assert catch_up_store(broker_settings, topic, third) == 2
    ids = {agency_id for agency_id, _ in third.all("agency")}
    assert ids == {*(f"a-{i}" for i in range(6)), "b-1", "b-2"}
    third.state_file.close()


def test_a_state_file_that_does_not_match_the_log_is_folded_anew(
    broker_settings: Settings, tmp_path: Path
) -> None:
    topic = new_topic(broker_settings, 1)
    register(new_store(broker_settings, topic), "a-1", "a-2")
    store = store_on_file(broker_settings, topic, tmp_path / "state.sqlite")
    # The file says it ends with an event the log does not hold there (another broker).
    store.state_file.save("ghost", Aggregate("agency", record("ghost"), 1))
    store.state_file.folded(topic, 0, 0, "an-event-of-another-log")
    assert catch_up_store(broker_settings, topic, store) == 2
    assert store.get("agency", "ghost") is None
    assert {agency_id for agency_id, _ in store.all("agency")} == {"a-1", "a-2"}
    assert store.state_file.positions(topic)[0].next_offset == 2


def two_kind_store(
    settings: Settings, topic: str, path: Path, agency_version: int = 1
) -> EventStore:
    return new_store(settings, topic, StateFile(path), agency_version=agency_version, edits=True)


def test_a_state_version_bump_refolds_that_kind_alone_from_the_log(
    broker_settings: Settings, tmp_path: Path
) -> None:
    topic = new_topic(broker_settings, 3)
    path = tmp_path / "state.sqlite"
    first = two_kind_store(broker_settings, topic, path)
    assert catch_up_store(broker_settings, topic, first) == 0
    register(first, "a-1", "a-2", "a-3")
    context = CommandContext(actor="admin:office:360000")
    for edit in ("e-1", "e-2"):
        asyncio.run(first.execute("edit", edit, Register(record(edit)), context))
    positions = first.state_file.positions(topic)
    first.state_file.close()
    # Rows the log would never produce: whichever is folded again loses its mark.
    marked = AgencyRecord.model_validate({**record("marked").model_dump(), "name": "marked"})
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE aggregates SET state = ? WHERE id IN ('a-1', 'e-1')",
            (marked.model_dump_json(),),
        )

    # The agency kind's states change shape, with no upcaster: that kind is folded again.
    second = two_kind_store(broker_settings, topic, path, agency_version=2)
    assert second.state_file.resumed
    assert second.state_file.refolding() == frozenset({"agency"})
    assert catch_up_store(broker_settings, topic, second) == 3
    assert second.require("agency", "a-1").state == record("a-1")
    assert second.require("agency", "a-1").version == 1
    assert {agency_id for agency_id, _ in second.all("agency")} == {"a-1", "a-2", "a-3"}
    assert second.require("edit", "e-1").state == marked  # left as the file had it
    assert second.require("edit", "e-2").state == record("e-2")
    assert second.state_file.positions(topic) == positions
    second.state_file.close()

    # Refolded once: the next start reads on.
    third = two_kind_store(broker_settings, topic, path, agency_version=2)
    assert third.state_file.refolding() == frozenset()
    assert catch_up_store(broker_settings, topic, third) == 0
    assert third.require("agency", "a-1").state == record("a-1")
    third.state_file.close()
