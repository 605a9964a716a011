"""The ports a deciding service's application code talks through. Kafka is one
adapter of each (``shared.kafka``); ``shared.kernel.memory`` is another, in memory,
so that the same handlers, policies and timers run in fast tests without a broker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from shared.envelope import CloudEvent


class Acknowledged(Protocol):
    """Where the log put a published event (Kafka's ``RecordMetadata`` is one)."""

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...


class EventLog(Protocol):
    """Publishes a service's events and waits until the log holds them."""

    def publish(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        """From a thread without an event loop; one ``Acknowledged`` per event."""
        ...

    async def publish_async(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        """From the service's event loop; one ``Acknowledged`` per event."""
        ...

    def send_raw(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Any:
        """Bytes as they are: a dead letter keeps the record it could not read."""
        ...

    async def aclose(self) -> None: ...
