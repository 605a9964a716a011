"""Read a topic to its current end: from offset 0 (``replay_topic``: a view of
another service's topic, a one-shot tool) or from where a service's state file left
off (``catch_up``: its decision state)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from kafka import KafkaConsumer, TopicPartition

from shared.codec import MalformedRecord, decode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.registry import InvalidEventData, UnknownEventType, registry
from shared.settings import Settings
from shared.statefile import Position, StateFile

log = logging.getLogger(__name__)


Apply = Callable[[CloudEvent, DomainEvent], object]
Folded = Callable[[int, int, str], None]


def _consumer(settings: Settings) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )


def replay_topic(settings: Settings, topic: str, apply: Apply) -> int:
    """Apply every readable event of ``topic`` in partition order; return how many.
    Unreadable records were dead-lettered when first consumed; here they are skipped."""
    consumer = _consumer(settings)
    try:
        return _read_on(consumer, topic, {}, apply, None)
    finally:
        consumer.close()


def catch_up(settings: Settings, topic: str, state: StateFile, apply: Apply) -> int:
    """Fold ``topic`` into ``state`` from the positions the file holds to the topic's
    end, recording the new positions; return how many events were applied. The file is
    cleared first (and the topic read from offset 0) when the log no longer holds the
    event the file says it ends with: another broker, a topic made anew."""
    consumer = _consumer(settings)
    try:
        positions = state.positions(topic)
        if positions and not _same_log(consumer, topic, positions):
            log.warning("%s: the state file does not match the log; folding it anew", topic)
            state.clear()
            positions = {}

        def folded(partition: int, offset: int, event_id: str) -> None:
            state.folded(topic, partition, offset, event_id)

        applied = _read_on(consumer, topic, positions, apply, folded)
        state.flush()
        return applied
    finally:
        consumer.close()


def _same_log(consumer: KafkaConsumer, topic: str, positions: Mapping[int, Position]) -> bool:
    """Whether each partition still holds, just before the stored position, the event
    the state file last folded from it."""
    partitions = consumer.partitions_for_topic(topic) or set()
    for partition, position in positions.items():
        if partition not in partitions:
            return False
        tp = TopicPartition(topic, partition)
        last = position.next_offset - 1
        if last < 0:
            continue
        if not consumer.beginning_offsets([tp])[tp] <= last < consumer.end_offsets([tp])[tp]:
            return False
        consumer.assign([tp])
        consumer.seek(tp, last)
        record = None
        for _ in range(10):
            for records in consumer.poll(timeout_ms=1000).values():
                record = records[0]
            if record is not None:
                break
        if record is None or record.offset != last:
            return False
        if position.last_event_id and _event_id(record.key, record.value) != position.last_event_id:
            return False
    return True


def _event_id(key: bytes | None, value: bytes | None) -> str:
    try:
        return decode(key, value).id
    except MalformedRecord:
        return ""


def _read_on(
    consumer: KafkaConsumer,
    topic: str,
    positions: Mapping[int, Position],
    apply: Apply,
    folded: Folded | None,
) -> int:
    partitions = consumer.partitions_for_topic(topic) or set()
    assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
    if not assignment:
        return 0
    consumer.assign(assignment)
    for tp in assignment:
        consumer.seek(tp, positions[tp.partition].next_offset if tp.partition in positions else 0)
    end = consumer.end_offsets(assignment)
    remaining = {tp for tp in assignment if consumer.position(tp) < end[tp]}
    applied = 0
    while remaining:
        for tp, records in consumer.poll(timeout_ms=1000).items():
            for record in records:
                event_id = ""
                try:
                    envelope = decode(record.key, record.value)
                    event_id = envelope.id
                    apply(envelope, registry.load(envelope))
                    applied += 1
                except (MalformedRecord, UnknownEventType, InvalidEventData) as exc:
                    log.warning("skipping unreadable %s@%s: %s", tp, record.offset, exc)
                if folded is not None:
                    folded(tp.partition, record.offset, event_id)
            if consumer.position(tp) >= end[tp]:
                remaining.discard(tp)
    return applied
