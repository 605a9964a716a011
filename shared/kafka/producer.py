"""An idempotent producer whose send returns only after the broker acknowledged.

Two clients behind one interface: on the event loop of a service, aiokafka (no
thread of its own, records built in compiled code); for threads, command-line tools
and any other event loop, kafka-python."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError as AsyncKafkaError
from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.codec import encode
from shared.envelope import CloudEvent
from shared.errors import Unavailable
from shared.kafka.security import client_options
from shared.settings import Settings


class PublishError(Unavailable):
    """The broker did not acknowledge the events; nothing may be reported as done."""

    def __init__(self, topic: str, cause: BaseException | str) -> None:
        super().__init__(
            f"事件未能写入 {topic}，请稍后重试（{cause}）",
            f"events were not acknowledged by the broker on {topic}; retry later ({cause})",
            code="publish_failed",
        )
        self.topic = topic


# Wait up to 5 ms for other records of the same partition: under load, concurrent
# requests then share one produce request (and the broker's round trip) instead of
# each paying for its own; every caller still waits for its own acknowledgement.
LINGER_MS = 5


class EventPublisher:
    """Producers with ``acks=all`` and idempotence on: kafka-python for ``publish``
    and ``send_raw``; aiokafka for ``publish_async`` on the first event loop that
    calls it (the service's), kafka-python again on any other."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: KafkaProducer | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._async_producer: asyncio.Task[AIOKafkaProducer] | None = None

    def _options(self) -> dict[str, Any]:
        """What both clients are given (they name these options alike)."""
        timeout_ms = int(self._settings.kafka_send_timeout_s * 1000)
        return {
            **client_options(self._settings),
            "client_id": "campaign-producer",
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": LINGER_MS,
            "request_timeout_ms": min(timeout_ms, self._settings.kafka_request_timeout_ms),
        }

    def _client(self, topic: str) -> KafkaProducer:
        if self._producer is None:
            timeout_ms = int(self._settings.kafka_send_timeout_s * 1000)
            try:
                self._producer = KafkaProducer(
                    **self._options(),
                    delivery_timeout_ms=timeout_ms + 1000,
                    max_block_ms=timeout_ms,
                    bootstrap_timeout_ms=timeout_ms,
                )
            except KafkaError as exc:
                raise PublishError(topic, exc) from exc
        return self._producer

    def _send(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        producer = self._client(topic)
        futures = []
        try:
            for event in events:
                record = encode(event)
                futures.append(
                    producer.send(topic, key=record.key, value=record.value, headers=record.headers)
                )
            producer.flush(timeout=self._settings.kafka_send_timeout_s)
        except KafkaError as exc:
            raise PublishError(topic, exc) from exc
        return futures

    def publish(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        """Send and wait for every acknowledgement; raise ``PublishError`` otherwise."""
        futures = self._send(topic, events)
        results = []
        for future in futures:
            try:
                results.append(future.get(timeout=self._settings.kafka_send_timeout_s))
            except KafkaError as exc:
                raise PublishError(topic, exc) from exc
        return results

    async def publish_async(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        """``publish`` for an event loop: no thread waits for the broker."""
        producer = await self._async_client(topic)
        if producer is None:
            return await self._publish_through_thread(topic, events)
        try:
            async with asyncio.timeout(self._settings.kafka_send_timeout_s):
                acknowledged = []
                for event in events:  # in order: one key, one partition, idempotent
                    record = encode(event)
                    acknowledged.append(
                        await producer.send(
                            topic, value=record.value, key=record.key, headers=record.headers
                        )
                    )
                return list(await asyncio.gather(*acknowledged))
        except (AsyncKafkaError, TimeoutError) as exc:
            raise PublishError(topic, exc or "no acknowledgement in time") from exc

    async def _async_client(self, topic: str) -> AIOKafkaProducer | None:
        """The aiokafka producer of this event loop, started once; ``None`` on a loop
        other than the one it lives on."""
        loop = asyncio.get_running_loop()
        if self._async_loop is None or self._async_loop.is_closed():
            self._async_loop = loop
            self._async_producer = loop.create_task(self._start_async_producer(topic))
        if loop is not self._async_loop or self._async_producer is None:
            return None
        starting = self._async_producer
        try:
            return await asyncio.shield(starting)
        except PublishError:
            if self._async_producer is starting:  # the next call tries again
                self._async_loop = self._async_producer = None
            raise

    async def _start_async_producer(self, topic: str) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(**self._options())
        try:
            async with asyncio.timeout(self._settings.kafka_send_timeout_s):
                await producer.start()
        except (AsyncKafkaError, TimeoutError) as exc:
            await producer.stop()
            raise PublishError(topic, exc or "the broker did not answer in time") from exc
        return producer

    async def _publish_through_thread(self, topic: str, events: Sequence[CloudEvent]) -> list[Any]:
        """kafka-python's producer, its acknowledgements delivered to this loop as
        callbacks from the producer's I/O thread."""
        if self._producer is None:
            await asyncio.to_thread(self._client, topic)  # bootstrapping may block
        loop = asyncio.get_running_loop()
        producer = self._client(topic)
        acknowledged: list[asyncio.Future[Any]] = []
        try:
            for event in events:
                record = encode(event)
                sent = producer.send(
                    topic, key=record.key, value=record.value, headers=record.headers
                )
                waiter: asyncio.Future[Any] = loop.create_future()
                sent.add_callback(_resolve, loop, waiter)
                sent.add_errback(_reject, loop, waiter)
                acknowledged.append(waiter)
            return await asyncio.wait_for(
                asyncio.gather(*acknowledged), timeout=self._settings.kafka_send_timeout_s
            )
        except (KafkaError, TimeoutError) as exc:
            raise PublishError(topic, exc or "no acknowledgement in time") from exc

    def send_raw(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Any:
        """Send bytes as they are (dead letters keep the original record untouched)."""
        try:
            future = self._client(topic).send(topic, key=key, value=value, headers=headers)
            return future.get(timeout=self._settings.kafka_send_timeout_s)
        except KafkaError as exc:
            raise PublishError(topic, exc) from exc

    async def aclose(self) -> None:
        """Close both producers (on the loop the asyncio one lives on)."""
        starting, self._async_producer = self._async_producer, None
        if starting is not None and self._async_loop is asyncio.get_running_loop():
            try:
                producer = await starting
            except PublishError:
                pass
            else:
                await producer.stop()
        self._async_loop = None
        self.close()

    def close(self) -> None:
        """Close kafka-python's producer (``aclose`` closes both)."""
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


def _resolve(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Any], metadata: Any) -> None:
    """kafka-python calls this from its I/O thread once the broker acknowledged."""

    def resolve() -> None:
        if not waiter.done():  # wait_for may have given up already
            waiter.set_result(metadata)

    loop.call_soon_threadsafe(resolve)


def _reject(
    loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Any], error: BaseException
) -> None:
    def reject() -> None:
        if not waiter.done():
            waiter.set_exception(error)

    loop.call_soon_threadsafe(reject)
