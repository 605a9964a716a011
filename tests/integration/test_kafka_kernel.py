"""The event kernel on a real Kafka broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

from shared.codec import decode
from shared.envelope import CloudEvent
from shared.events.directory import AgencyRecord, AgencyRegistered
from shared.kafka.admin import admin_client, ensure_topics
from shared.kafka.consumer import EventConsumer, Received
from shared.kafka.local import LocalBroker
from shared.kafka.producer import EventPublisher, PublishError
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import DIRECTORY, EVENT_TOPICS, TopicSpec, dlq
from shared.vocabulary import AdminLevel, Power, Sector

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[2]


def agency_event(agency_id: str, sequence: int = 1) -> CloudEvent:
    payload = AgencyRegistered(
        agency=AgencyRecord(
            agency_id=agency_id,
            name="南昌市城市管理局",
            region_code="360100",
            level=AdminLevel.city,
            sector=Sector.urban_management,
            powers=(Power.penalty, Power.coercion),
        )
    )
    return payload.enveloped(
        agency_id,
        sequence,
        datetime(2016, 6, 6, tzinfo=UTC),
        regioncode="360100",
        actor="admin:provincial-office:360000",
    )


def read_from(settings: Settings, topic: str, partition: int, offset: int, count: int) -> list:
    consumer = KafkaConsumer(**client_options(settings))
    tp = TopicPartition(topic, partition)
    consumer.assign([tp])
    consumer.seek(tp, offset)
    records: list = []
    deadline = time.monotonic() + 20
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    consumer.close()
    return records[:count]


def test_async_publish_returns_the_acknowledged_offsets_in_order(
    broker_settings: Settings,
) -> None:
    publisher = EventPublisher(broker_settings)
    agency_id = f"agency-{uuid.uuid4().hex[:8]}"
    events = [agency_event(agency_id, sequence) for sequence in (1, 2, 3)]

    async def publish() -> list:
        try:
            return await publisher.publish_async(DIRECTORY, events)
        finally:
            await publisher.aclose()

    acknowledged = asyncio.run(publish())
    assert len({m.partition for m in acknowledged}) == 1  # one aggregate, one partition
    offsets = [m.offset for m in acknowledged]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3
    records = read_from(broker_settings, DIRECTORY, acknowledged[0].partition, offsets[0], 3)
    assert [decode(r.key, r.value).sequence for r in records] == [1, 2, 3]


def test_async_publish_from_a_second_event_loop_goes_through_the_thread_client(
    broker_settings: Settings,
) -> None:
    """The asyncio producer belongs to the first loop; another loop, alive at the same
    time (a worker thread's), is served by kafka-python, in order just the same."""
    publisher = EventPublisher(broker_settings)
    agency_id = f"agency-{uuid.uuid4().hex[:8]}"

    async def main_loop() -> tuple[list, list]:
        first = await publisher.publish_async(DIRECTORY, [agency_event(agency_id, 1)])
        other_loop = await asyncio.to_thread(
            asyncio.run,
            publisher.publish_async(
                DIRECTORY, [agency_event(agency_id, 2), agency_event(agency_id, 3)]
            ),
        )
        await publisher.aclose()
        return first, other_loop

    first, other = asyncio.run(main_loop())
    assert type(first[0]).__module__.startswith("aiokafka")
    assert type(other[0]).__module__.startswith("kafka.")
    offsets = [m.offset for m in first + other]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3
    records = read_from(broker_settings, DIRECTORY, first[0].partition, offsets[0], 3)
    assert [decode(r.key, r.value).sequence for r in records] == [1, 2, 3]


def test_async_publish_without_a_broker_fails_in_time_on_every_call() -> None:
    settings = Settings(kafka_bootstrap_servers="127.0.0.1:9", kafka_send_timeout_s=1.5)
    publisher = EventPublisher(settings)

    async def twice() -> list[float]:
        spent = []
        for _ in range(2):
            started = time.monotonic()
            with pytest.raises(PublishError):
                await publisher.publish_async(DIRECTORY, [agency_event("agency-nobroker")])
            spent.append(time.monotonic() - started)
        await publisher.aclose()
        return spent

    spent = asyncio.run(twice())
    assert all(seconds < 10 for seconds in spent)


def test_envelope_round_trip(broker_settings: Settings) -> None:
    publisher = EventPublisher(broker_settings)
    event = agency_event(f"agency-{uuid.uuid4().hex[:8]}")
    [metadata] = publisher.publish(DIRECTORY, [event])
    publisher.close()
    [record] = read_from(broker_settings, DIRECTORY, metadata.partition, metadata.offset, 1)
    assert record.key == event.subject.encode()
    assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
    assert decode(record.key, record.value) == event


@pytest.fixture
def scratch_topic(broker_settings: Settings) -> str:
    name = f"kernel-test-{uuid.uuid4().hex[:8]}.events"
    specs = [TopicSpec(n, 1, 1, {"retention.ms": "-1"}) for n in (name, dlq(name))]
    ensure_topics(broker_settings, specs)
    return name


def test_malformed_record_is_dead_lettered_and_consumption_continues(
    broker_settings: Settings, scratch_topic: str
) -> None:
    publisher = EventPublisher(broker_settings)
    publisher.send_raw(scratch_topic, b"agency-x", b"{this is not json", [])
    good = agency_event("agency-after-bad")
    publisher.publish(scratch_topic, [good])

    consumer = EventConsumer(
        broker_settings, [scratch_topic], f"kernel-test-{uuid.uuid4().hex}", publisher
    )
    handled: list[Received] = []
    deadline = time.monotonic() + 30
    while not handled and time.monotonic() < deadline:
        consumer.poll_once(handled.append)
    consumer.close()

    assert [r.envelope for r in handled] == [good]
    assert consumer.dead_letters.count == 1
    [dead] = read_from(broker_settings, dlq(scratch_topic), 0, 0, 1)
    headers = dict(dead.headers)
    assert dead.value == b"{this is not json"
    assert b"not JSON" in headers["dlq-reason"]
    assert headers["dlq-topic"] == scratch_topic.encode()
    assert headers["dlq-offset"] == b"0"
    publisher.close()


def test_unknown_event_type_is_dead_lettered_with_its_reason(
    broker_settings: Settings, scratch_topic: str
) -> None:
    publisher = EventPublisher(broker_settings)
    unknown = agency_event("agency-unknown").model_copy(
        update={"type": "cn.gov.jiangxi.fairenforcement.directory.Unheard.v1"}
    )
    publisher.publish(scratch_topic, [unknown])
    consumer = EventConsumer(broker_settings, [scratch_topic], None, publisher)
    deadline = time.monotonic() + 30
    while consumer.dead_letters.count == 0 and time.monotonic() < deadline:
        consumer.poll_once(lambda received: None)
    consumer.close()
    [dead] = read_from(broker_settings, dlq(scratch_topic), 0, 0, 1)
    assert b"unknown event type" in dict(dead.headers)["dlq-reason"]
    publisher.close()


def test_topic_creation_is_idempotent_with_retention_forever(broker_settings: Settings) -> None:
    assert ensure_topics(broker_settings) == []  # the fixture created them already
    admin = admin_client(broker_settings)
    try:
        assert set(EVENT_TOPICS) | {dlq(t) for t in EVENT_TOPICS} <= set(admin.list_topics())
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, DIRECTORY)])
        configs = {name: entry["value"] for name, entry in described["topic"][DIRECTORY].items()}
    finally:
        admin.close()
    assert configs["retention.ms"] == "-1"
    assert configs["cleanup.policy"] == "delete"


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[tuple[Settings, LocalBroker]]:
    """A second broker this test may stop (its admin logs in)."""
    from tests.conftest import _free_port

    broker = LocalBroker(_free_port(), tmp_path / "kafka", controller_port=_free_port())
    broker.start()
    settings = Settings(
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_send_timeout_s=3,
        **broker.admin_login().settings_update(),
    )
    ensure_topics(settings)
    try:
        yield settings, broker
    finally:
        broker.stop()


def test_send_while_broker_is_stopped_fails_clearly_within_bound(
    own_broker: tuple[Settings, LocalBroker],
) -> None:
    settings, broker = own_broker
    publisher = EventPublisher(settings)
    assert publisher.publish(DIRECTORY, [agency_event("agency-before-stop")])
    broker.stop()

    started = time.monotonic()
    with pytest.raises(PublishError) as failure:
        publisher.publish(DIRECTORY, [agency_event("agency-after-stop")])
    elapsed = time.monotonic() - started
    publisher.close()
    assert elapsed < 20, f"publish took {elapsed:.1f}s to fail"
    assert "directory.events" in failure.value.en and "retry" in failure.value.en
    assert failure.value.status_code == 503

    publisher = EventPublisher(settings)
    started = time.monotonic()
    with pytest.raises(PublishError):
        asyncio.run(publisher.publish_async(DIRECTORY, [agency_event("agency-async-stop")]))
    publisher.close()
    assert time.monotonic() - started < 20


def test_send_to_a_broker_that_never_answered_fails_clearly() -> None:
    from tests.conftest import _free_port

    settings = Settings(kafka_bootstrap_servers=f"127.0.0.1:{_free_port()}", kafka_send_timeout_s=2)
    publisher = EventPublisher(settings)
    started = time.monotonic()
    with pytest.raises(PublishError):
        publisher.publish(DIRECTORY, [agency_event("agency-nowhere")])
    assert time.monotonic() - started < 15
    publisher.close()
