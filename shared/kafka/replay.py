"""Read a topic from offset 0 to its current end: how decision state is rebuilt."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition

from shared.codec import MalformedRecord, decode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.registry import InvalidEventData, UnknownEventType, registry
from shared.settings import Settings

log = logging.getLogger(__name__)


def replay_topic(
    settings: Settings, topic: str, apply: Callable[[CloudEvent, DomainEvent], object]
) -> int:
    """Apply every readable event of ``topic`` in partition order; return how many.
    Unreadable records were dead-lettered when first consumed; here they are skipped."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assignment:
            return 0
        consumer.assign(assignment)
        consumer.seek_to_beginning(*assignment)
        end = consumer.end_offsets(assignment)
        remaining = {tp for tp in assignment if end[tp] > 0}
        applied = 0
        while remaining:
            for tp, records in consumer.poll(timeout_ms=1000).items():
                for record in records:
                    try:
                        envelope = decode(record.key, record.value)
                        apply(envelope, registry.load(envelope))
                        applied += 1
                    except (MalformedRecord, UnknownEventType, InvalidEventData) as exc:
                        log.warning("skipping unreadable %s@%s: %s", tp, record.offset, exc)
                if consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        return applied
    finally:
        consumer.close()
