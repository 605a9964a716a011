"""Read a topic to its current end: from offset 0 (``replay_topic``: a view of
another service's topic, a one-shot tool) or from where a service's state file left
off (``catch_up``: its decision state, after folding again from offset 0 the kinds
whose stored states it could not read)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Protocol

from kafka import KafkaConsumer, TopicPartition

from shared.codec import MalformedRecord, decode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.registry import InvalidEventData, UnknownEventType, registry
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.state import Position, StateFile

log = logging.getLogger(__name__)


Apply = Callable[[CloudEvent, DomainEvent], object]
Folded = Callable[[int, int, str], None]


class Fold(Protocol):
    """A store's ``apply``: folds an event, into aggregates of ``kinds`` only if given."""

    def __call__(
        self, envelope: CloudEvent, event: DomainEvent, kinds: Collection[str] | None = None
    ) -> object: ...


def _consumer(settings: Settings) -> KafkaConsumer:
    return KafkaConsumer(
        **client_options(settings),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )


def replay_topic(settings: Settings, topic: str, apply: Apply) -> int:
    """Apply every readable event of ``topic`` in partition order; return how many.
    Unreadable records were dead-lettered when first consumed; here they are skipped."""
    consumer = _consumer(settings)
    try:
        return _read_on(consumer, topic, {}, None, apply, None)
    finally:
        consumer.close()


def catch_up(settings: Settings, topic: str, state: StateFile, apply: Fold) -> int:
    """Fold ``topic`` into ``state`` from the positions the file holds to the topic's
    end, recording the new positions; return how many events were applied.

    The kinds the file is ``refolding`` (their stored states were dropped) are folded
    first from offset 0 up to those positions, and only they (counted are the events
    they took). The whole file is cleared first (and the topic read from offset 0) when
    the log no longer holds the event the file says it ends with: another broker, a
    topic made anew."""
    consumer = _consumer(settings)
    try:
        positions = state.positions(topic)
        if positions and not _same_log(consumer, topic, positions):
            log.warning("%s: the state file does not match the log; folding it anew", topic)
            state.clear()
            positions = {}
        applied = 0
        refolding = state.refolding()
        if refolding and positions:
            log.info("%s: folding %s anew from offset 0", topic, ", ".join(sorted(refolding)))
            refolded = 0

            def refold(envelope: CloudEvent, event: DomainEvent) -> None:
                nonlocal refolded
                if apply(envelope, event, refolding):
                    refolded += 1

            _read_on(consumer, topic, {}, positions, refold, None)
            applied += refolded
        state.refolded()

        def folded(partition: int, offset: int, event_id: str) -> None:
            state.folded(topic, partition, offset, event_id)

        applied += _read_on(consumer, topic, positions, None, apply, folded)
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
    start: Mapping[int, Position],
    stop: Mapping[int, Position] | None,
    apply: Apply,
    folded: Folded | None,
) -> int:
    """Apply the events of ``topic`` from ``start`` (offset 0 where it has none) to
    ``stop`` (the partitions it names, up to their positions) or else to the end."""
    partitions = consumer.partitions_for_topic(topic) or set()
    if stop is not None:
        partitions = partitions & set(stop)
    assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
    if not assignment:
        return 0
    consumer.assign(assignment)
    consumer.resume(*assignment)  # an assignment kept from an earlier read keeps its pauses
    for tp in assignment:
        consumer.seek(tp, start[tp.partition].next_offset if tp.partition in start else 0)
    if stop is None:
        end = consumer.end_offsets(assignment)
    else:
        end = {tp: stop[tp.partition].next_offset for tp in assignment}
    remaining = {tp for tp in assignment if consumer.position(tp) < end[tp]}
    consumer.pause(*(set(assignment) - remaining))
    applied = 0
    while remaining:
        for tp, records in consumer.poll(timeout_ms=1000).items():
            for record in records:
                if record.offset >= end[tp]:
                    break
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
                consumer.pause(tp)
    return applied
