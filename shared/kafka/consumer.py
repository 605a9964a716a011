"""A consumer base that dead-letters what it cannot decode, then goes on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer

from shared.codec import MalformedRecord, decode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.registry import EventRegistry, InvalidEventData, UnknownEventType, registry
from shared.kafka.producer import EventPublisher
from shared.kafka.security import client_options
from shared.ports import EventLog
from shared.settings import Settings
from shared.topics import dlq

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    """A decoded record: the envelope, its payload as a model, and where it came from."""

    envelope: CloudEvent
    event: DomainEvent
    topic: str
    partition: int
    offset: int


class DeadLetters:
    """Sends a record that cannot be read to ``<topic>.dlq`` with the reason in headers."""

    def __init__(self, publisher: EventLog) -> None:
        self._publisher = publisher
        self.count = 0

    def send(
        self,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        reason: str,
    ) -> None:
        headers = [
            ("dlq-reason", reason.encode("utf-8")),
            ("dlq-topic", topic.encode()),
            ("dlq-partition", str(partition).encode()),
            ("dlq-offset", str(offset).encode()),
        ]
        self._publisher.send_raw(dlq(topic), key, value, headers)
        self.count += 1
        log.warning("dead-lettered %s[%s]@%s: %s", topic, partition, offset, reason)


# What a record that cannot be read raises; each carries a ``reason``.
UNREADABLE = (MalformedRecord, UnknownEventType, InvalidEventData)


def decode_record(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    events: EventRegistry = registry,
) -> Received:
    """Decode one record; raise one of ``UNREADABLE`` if it cannot be read."""
    envelope = decode(key, value)
    return Received(envelope, events.load(envelope), topic, partition, offset)


def read_record(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    dead_letters: DeadLetters,
    events: EventRegistry = registry,
) -> Received | None:
    """Decode one record, or dead-letter it and return ``None``."""
    try:
        return decode_record(topic, partition, offset, key, value, events)
    except UNREADABLE as exc:
        dead_letters.send(topic, partition, offset, key, value, exc.reason)
        return None


class EventConsumer:
    """Polls topics, decodes each record and hands it to ``handle``; bad records go
    to the dead-letter topic and consumption continues."""

    def __init__(
        self,
        settings: Settings,
        topics: Sequence[str],
        group_id: str | None,
        publisher: EventPublisher,
        **consumer_options: Any,
    ) -> None:
        options: dict[str, Any] = {
            **client_options(settings),
            "group_id": group_id,
            "auto_offset_reset": "earliest",
            "enable_auto_commit": False,
            **consumer_options,
        }
        self.consumer = KafkaConsumer(*topics, **options)
        self.dead_letters = DeadLetters(publisher)
        self._stop = threading.Event()

    def poll_once(self, handle: Callable[[Received], None], timeout_ms: int = 500) -> int:
        batches = self.consumer.poll(timeout_ms=timeout_ms)
        handled = 0
        for tp, records in batches.items():
            for record in records:
                received = read_record(
                    tp.topic,
                    tp.partition,
                    record.offset,
                    record.key,
                    record.value,
                    self.dead_letters,
                )
                if received is not None:
                    handle(received)
                handled += 1
        if handled and self.consumer.config.get("group_id"):
            self.consumer.commit()
        return handled

    def run(self, handle: Callable[[Received], None]) -> None:
        while not self._stop.is_set():
            self.poll_once(handle)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.consumer.close()
