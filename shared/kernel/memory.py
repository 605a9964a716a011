"""The event log kept in memory: the ``EventLog`` port without a broker.

Each topic is one partition, a list of records encoded exactly as Kafka would carry
them (``shared.codec``), so what a test reads back has been through the same
encoding and decoding as on the broker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.codec import encode
from shared.envelope import CloudEvent
from shared.kafka.consumer import Received, decode_record


@dataclass(frozen=True)
class Record:
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Acknowledgement:
    topic: str
    partition: int
    offset: int


class InMemoryEventLog:
    """Publishes into lists; ``failing`` makes the next publish raise, as a broker
    that does not acknowledge would."""

    def __init__(self) -> None:
        self.records: dict[str, list[Record]] = defaultdict(list)
        self.failing: BaseException | None = None

    def publish(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        if self.failing is not None:
            raise self.failing
        acknowledged = []
        for event in events:
            record = encode(event)
            log = self.records[topic]
            log.append(Record(record.key, record.value, tuple(record.headers)))
            acknowledged.append(Acknowledgement(topic, 0, len(log) - 1))
        return acknowledged

    async def publish_async(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        return self.publish(topic, events)

    def send_raw(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Any:
        log = self.records[topic]
        log.append(Record(key, value, tuple(headers)))
        return Acknowledgement(topic, 0, len(log) - 1)

    async def aclose(self) -> None:
        return None

    def received(self, topic: str, start: int = 0) -> list[Received]:
        """The readable records of ``topic`` from offset ``start``, as a consumer reads them."""
        return [
            decode_record(topic, 0, offset, record.key, record.value)
            for offset, record in enumerate(self.records[topic][start:], start=start)
        ]

    def events(self, topic: str) -> list[CloudEvent]:
        return [received.envelope for received in self.received(topic)]

    def types(self, topic: str) -> list[str]:
        """The CloudEvents types on ``topic``, in order."""
        return [envelope.type for envelope in self.events(topic)]

    def names(self, topic: str) -> list[str]:
        """The names of the event classes on ``topic``, in order (``TipReceived``):
        what most tests assert on."""
        return [type(received.event).__name__ for received in self.received(topic)]
