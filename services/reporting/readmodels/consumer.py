"""The one consumer of the read models: manual assignment of every partition of the
four topics, positions read from the ``consumer_offsets`` table (never from Kafka
consumer groups), batches committed to the database with their offsets.

Two stages overlap: while one batch is written (``batch_writer.py``; the database
works outside the GIL), the next is fetched, decoded and projected. Fetching uses
aiokafka, whose record parsing and CRC checks are compiled; kafka-python's pure-Python
parsing alone would cap the projector below the rate it can otherwise reach."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Engine

from services.reporting.readmodels.batch_writer import BatchWriter, WriteTurns
from services.reporting.readmodels.projector import Record, decode_batch, project_batch
from services.reporting.readmodels.status import ProjectorStatus, stored_offsets
from services.reporting.readmodels.unit_of_work import StaleOffsets, UnitOfWork, subject_reader
from shared.kafka.consumer import DeadLetters
from shared.kafka.producer import EventPublisher
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import EVENT_TOPICS

log = logging.getLogger(__name__)

# Batches between full collections in a lane (a full one costs as much as 5 young ones).
_FULL_COLLECTION_EVERY = 50

# A partition's position to reach: keyed by (topic, partition); kafka-python's and
# aiokafka's ``TopicPartition`` are both such tuples.
Targets = Mapping[tuple[str, int], int]


class Projector:
    """Reads ``topics`` from the stored offsets and projects them batch by batch."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        topics: Sequence[str] = EVENT_TOPICS,
        as_of: datetime | None = None,
        max_records: int = 2000,
        publish_dead_letters: bool = True,
        partitions: Collection[tuple[str, int]] | None = None,
        write_behind: bool = True,
        collect_between_batches: bool = False,
        write_turns: WriteTurns | None = None,
    ) -> None:
        """``partitions``: only these (topic, partition) pairs of ``topics`` (a lane of
        a parallel replay, see ``lanes.py``); by default every partition.
        ``write_behind``: write each batch on a thread while the next is projected.
        ``collect_between_batches``: for a process that does nothing but project (a
        replay lane): the cyclic garbage collector runs after each batch, when almost
        nothing is alive, instead of again and again while a batch's thousands of
        decoded events are (measured: a third of the decoding time).
        ``write_turns``: shared by the projectors writing to one SQLite file (replay
        lanes), see ``BatchWriter``."""
        self.settings = settings
        self.engine = engine
        self.topics = tuple(topics)
        self.as_of = as_of
        self.max_records = max_records
        self.partitions = None if partitions is None else frozenset(partitions)
        self.collect_between_batches = collect_between_batches
        self.status = ProjectorStatus()
        self._stop = threading.Event()
        self._publisher = EventPublisher(settings) if publish_dead_letters else None
        self._dead_letters = DeadLetters(self._publisher) if self._publisher else None
        self._writer = BatchWriter(engine, self.status, background=write_behind, turns=write_turns)
        # Where each partition stands once every batch handed to the writer is written.
        self._expected: dict[tuple[str, int], int | None] = {}

    # -- lifecycle ---------------------------------------------------------------

    async def _open(self) -> tuple[AIOKafkaConsumer, list[TopicPartition], bool]:
        """A started consumer positioned at the stored offsets, its assignment, and
        whether a topic had no partitions yet."""
        consumer = AIOKafkaConsumer(
            **client_options(self.settings),
            client_id="campaign-reporting-projector",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # Enough to keep a batch or two ahead; more only costs memory.
            max_partition_fetch_bytes=1024 * 1024,
            fetch_max_bytes=4 * 1024 * 1024,
            check_crcs=True,
        )
        await consumer.start()
        try:
            # The consumer's own metadata covers only topics it already uses.
            cluster = await consumer._client.fetch_all_metadata()
            assignment: list[TopicPartition] = []
            incomplete = False
            for topic in self.topics:
                partitions = cluster.partitions_for_topic(topic) or set()
                incomplete |= not partitions
                assignment.extend(
                    TopicPartition(topic, p)
                    for p in sorted(partitions)
                    if self.partitions is None or (topic, p) in self.partitions
                )
            consumer.assign(assignment)
            await self._seek_stored(consumer, assignment)
        except BaseException:
            await consumer.stop()
            raise
        return consumer, assignment, incomplete

    async def _seek_stored(
        self, consumer: AIOKafkaConsumer, assignment: list[TopicPartition]
    ) -> None:
        positions = stored_offsets(self.engine)
        self._expected = {
            (tp.topic, tp.partition): positions.get((tp.topic, tp.partition)) for tp in assignment
        }
        for tp in assignment:
            stored = self._expected[(tp.topic, tp.partition)]
            if stored is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, stored)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._writer.close()
        if self._publisher is not None:
            self._publisher.close()

    # -- work --------------------------------------------------------------------

    def _sink(self, record: Record, reason: str) -> None:
        if self._dead_letters is not None:
            self._dead_letters.send(
                record.topic, record.partition, record.offset, record.key, record.value, reason
            )

    def _project(self, records: list[Record]) -> None:
        batch = decode_batch(records, self.as_of)
        writer = self._writer
        with self.engine.connect() as conn:
            uow = UnitOfWork(subject_reader(conn), writer.carried)
            result = project_batch(uow, batch, self._sink)
        plan = uow.plan()
        plan.expected = {key: self._expected.get(key) for key in plan.offsets}
        writer.submit(plan, uow.rows, result)
        self._expected.update(plan.offsets)

    async def _consume(self, until: Targets | None, *, to_end: bool = False) -> None:
        """Poll, decode, project and hand batches to the writer until ``until`` (or, with
        ``to_end``, the end offsets when it started) is reached, or until stopped."""
        # What is alive by now (modules, the app) lives as long as the process: keep it
        # out of the collector's full passes, which would otherwise walk it again and
        # again while batches of decoded events come and go (measured: a third of the
        # decoding time).
        gc.freeze()
        if self.collect_between_batches:
            gc.disable()
            projected = 0
        consumer, assignment, incomplete = await self._open()
        try:
            if to_end:
                until = await consumer.end_offsets(assignment)
            while not self._stop.is_set():
                try:
                    if until is not None and await _reached(consumer, until):
                        self._writer.wait()
                        return
                    fetched = await consumer.getmany(timeout_ms=500, max_records=self.max_records)
                    records: list[Record] = [r for rs in fetched.values() for r in rs]
                    if not records:
                        self._writer.wait()
                        self.status.caught_up = True
                        if incomplete and until is None:
                            return  # a topic had no partitions yet: look again
                        continue
                    self._project(records)
                    if self.collect_between_batches:
                        del fetched, records
                        # the youngest objects each time; everything now and then
                        projected += 1
                        gc.collect(0 if projected % _FULL_COLLECTION_EVERY else 2)
                except StaleOffsets as exc:
                    log.warning("another projector wrote first (%s): reading again", exc)
                    self._writer.discard()
                    await self._seek_stored(consumer, assignment)
            self._writer.wait()
        except BaseException:
            # The plans may be ahead of the database: start again from the stored offsets.
            self._writer.discard()
            raise
        finally:
            if self.collect_between_batches:
                gc.enable()
            await consumer.stop()

    def positions(self) -> dict[str, int]:
        return {f"{t}:{p}": o for (t, p), o in sorted(stored_offsets(self.engine).items())}

    def run_until(self, targets: Targets | None = None) -> ProjectorStatus:
        """Project until every partition reached ``targets`` (default: the end offsets
        now), then return. Used by replays and tests."""
        asyncio.run(self._consume(targets, to_end=targets is None))
        self.status.caught_up = True
        self.status.positions = self.positions()
        return self.status

    def run_forever(self) -> None:
        """The service's background loop: never dies on an error, retries after a pause."""
        self.status.running = True
        while not self._stop.is_set():
            try:
                asyncio.run(self._consume(None))
                self._stop.wait(1.0)  # returned early: a topic is still missing
            except Exception as exc:  # keep going: the log is still there tomorrow
                log.exception("reporting projector failed; retrying")
                self.status.error = repr(exc)
                self._stop.wait(2.0)
        self.status.running = False


async def _reached(consumer: AIOKafkaConsumer, until: Targets) -> bool:
    for (topic, partition), end in until.items():
        if await consumer.position(TopicPartition(topic, partition)) < end:
            return False
    return True


def start_in_thread(projector: Projector) -> threading.Thread:
    thread = threading.Thread(target=projector.run_forever, name="reporting-projector", daemon=True)
    thread.start()
    return thread
