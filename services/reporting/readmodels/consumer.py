"""The one consumer of the read models: manual assignment of every partition of the
four topics, positions read from the ``consumer_offsets`` table (never from Kafka
consumer groups), batches committed to the database with their offsets."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, func, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.projector import (
    RawRecord,
    decode_batch,
    write_batch,
)
from shared.kafka.consumer import DeadLetters
from shared.kafka.producer import EventPublisher
from shared.settings import Settings
from shared.topics import EVENT_TOPICS

log = logging.getLogger(__name__)


def native_crc32c() -> bool:
    """Whether kafka-python can verify record-batch CRCs in C. Its pure-Python CRC32C
    caps a consumer at about 9,000 events/s on this hardware; without the ``crc32c``
    package we leave CRC checks to the broker (which verifies them on produce)."""
    return importlib.util.find_spec("crc32c") is not None


CHECK_CRCS = native_crc32c()


@dataclass
class ProjectorStatus:
    applied: int = 0
    skipped: int = 0
    dead: int = 0
    batches: int = 0
    running: bool = False
    caught_up: bool = False
    error: str = ""
    positions: dict[str, int] = field(default_factory=dict)


def stored_offsets(engine: Engine) -> dict[tuple[str, int], int]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.offsets)).all()
    return {(row.topic, row.partition): row.next_offset for row in rows}


def dead_letter_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.dead_letters)).scalar_one())


class Projector:
    """Reads ``topics`` from the stored offsets and projects them batch by batch."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        topics: Sequence[str] = EVENT_TOPICS,
        as_of: datetime | None = None,
        max_records: int = 5000,
        publish_dead_letters: bool = True,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.topics = tuple(topics)
        self.as_of = as_of
        self.max_records = max_records
        self.status = ProjectorStatus()
        self._stop = threading.Event()
        self._publisher = EventPublisher(settings) if publish_dead_letters else None
        self._dead_letters = DeadLetters(self._publisher) if self._publisher else None
        self._consumer: KafkaConsumer | None = None
        self._assignment: list[TopicPartition] = []
        self._incomplete = False

    # -- lifecycle ---------------------------------------------------------------

    def _open(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id="campaign-reporting-projector",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=2 * 1024 * 1024,
            fetch_max_bytes=16 * 1024 * 1024,
            check_crcs=CHECK_CRCS,
        )
        assignment: list[TopicPartition] = []
        self._incomplete = False
        for topic in self.topics:
            partitions = consumer.partitions_for_topic(topic) or set()
            self._incomplete |= not partitions
            assignment.extend(TopicPartition(topic, p) for p in sorted(partitions))
        consumer.assign(assignment)
        positions = stored_offsets(self.engine)
        for tp in assignment:
            stored = positions.get((tp.topic, tp.partition))
            if stored is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, stored)
        self._consumer = consumer
        self._assignment = assignment
        return consumer

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        if self._publisher is not None:
            self._publisher.close()

    # -- work --------------------------------------------------------------------

    def _sink(self, record: RawRecord, reason: str) -> None:
        if self._dead_letters is not None:
            self._dead_letters.send(
                record.topic, record.partition, record.offset, record.key, record.value, reason
            )

    def _records(self, consumer: KafkaConsumer) -> list[RawRecord]:
        batches = consumer.poll(timeout_ms=500, max_records=self.max_records)
        return [
            RawRecord(tp.topic, tp.partition, r.offset, r.key, r.value)
            for tp, rs in batches.items()
            for r in rs
        ]

    def _run(self, targets: dict[TopicPartition, int] | None) -> None:
        """Poll, decode and write batch after batch, each batch's rows and offsets in
        one transaction. (Decoding ahead in a second thread was measured slower: the
        GIL serialises it with the projection.)"""
        consumer = self._consumer or self._open()
        try:
            while not self._stop.is_set():
                if targets is not None and all(
                    consumer.position(tp) >= end for tp, end in targets.items()
                ):
                    return
                records = self._records(consumer)
                if not records:
                    self.status.caught_up = True
                    if self._incomplete and targets is None:
                        self._reset()  # a topic had no partitions yet: look again
                        return
                    continue
                batch = decode_batch(records, self.as_of)
                del records
                result = write_batch(self.engine, batch, dead_letter_sink=self._sink)
                self.status.applied += result.applied
                self.status.skipped += result.skipped
                self.status.dead += result.dead
                self.status.batches += 1
        except BaseException:
            # The consumer may be ahead of the database: reopen and seek next time.
            self._reset()
            raise

    def end_offsets(self) -> dict[TopicPartition, int]:
        consumer = self._consumer or self._open()
        ends: dict[TopicPartition, int] = consumer.end_offsets(self._assignment)
        return ends

    def positions(self) -> dict[str, int]:
        return {f"{t}:{p}": o for (t, p), o in sorted(stored_offsets(self.engine).items())}

    def run_until(self, targets: dict[TopicPartition, int] | None = None) -> ProjectorStatus:
        """Project until every partition reached ``targets`` (default: the end offsets
        now), then return. Used by replays and tests."""
        wanted = targets if targets is not None else self.end_offsets()
        self._run(wanted)
        self.status.caught_up = True
        self.status.positions = self.positions()
        return self.status

    def run_forever(self) -> None:
        """The service's background loop: never dies on an error, retries after a pause."""
        self.status.running = True
        while not self._stop.is_set():
            try:
                self._run(None)
                self._stop.wait(1.0)  # returned early: a topic is still missing
            except Exception as exc:  # keep going: the log is still there tomorrow
                log.exception("reporting projector failed; retrying")
                self.status.error = repr(exc)
                self._stop.wait(2.0)
        self.status.running = False

    def _reset(self) -> None:
        if self._consumer is not None:
            with contextlib.suppress(Exception):  # closing a broken client
                self._consumer.close()
            self._consumer = None


def start_in_thread(projector: Projector) -> threading.Thread:
    thread = threading.Thread(target=projector.run_forever, name="reporting-projector", daemon=True)
    thread.start()
    return thread


def wait_caught_up(projector: Projector, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if projector.status.caught_up:
            return True
        time.sleep(0.05)
    return False


def describe(status: ProjectorStatus) -> dict[str, Any]:
    return {
        "applied": status.applied,
        "skipped": status.skipped,
        "dead_letters": status.dead,
        "batches": status.batches,
        "running": status.running,
        "caught_up": status.caught_up,
        "error": status.error,
    }
