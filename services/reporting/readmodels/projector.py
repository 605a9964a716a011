"""Fold a batch of Kafka records into the read models in ONE transaction, together
with the offsets they advance. Unknown or malformed records are dead-lettered and
counted; they never stop the projector."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple, Protocol

from sqlalchemy import Engine

from services.reporting.readmodels.projections import PROJECTIONS
from services.reporting.readmodels.unit_of_work import (
    UnitOfWork,
    read_offsets,
    subject_reader,
    write,
)
from shared.codec import MalformedRecord
from shared.events.base import DomainEvent
from shared.events.reader import EnvelopeAttributes, read_in_one_pass
from shared.events.registry import InvalidEventData, UnknownEventType

log = logging.getLogger(__name__)


class Record(Protocol):
    """A record as read from a topic: the Kafka clients' records are such, and so is
    ``RawRecord``."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...


class RawRecord(NamedTuple):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


# Called for each unreadable record (e.g. to publish it to ``<topic>.dlq``).
DeadLetterSink = Callable[[Record, str], None]


@dataclass
class BatchResult:
    applied: int = 0
    skipped: int = 0
    dead: int = 0


# Event fields naming a row that is not an aggregate of its own: "<kind>:<value>".
_DERIVED_KEYS = {
    "referral_id": "referral",
    "decision_id": "accountability",
    "regulation_id": "rule",
    "lookback_id": "lookback",
    "raised_id": "raised_problem",
    "plan_id": "plan",
    "analysis_id": "self_analysis",
    "report_id": "self_inspection",
}


@cache
def _id_fields(event_type: type[DomainEvent]) -> tuple[tuple[str, str | None], ...]:
    return tuple(
        (name, _DERIVED_KEYS.get(name))
        for name in event_type.model_fields
        if name.endswith("_id") and name not in _NEVER_ROWS
    )


# Ids that never key a subject row of their own (agencies and campaigns have tables).
_NEVER_ROWS = frozenset({"campaign_id", "agency_id", "office_id", "entity_id"})


@cache
def _result_fields(event_type: type[DomainEvent]) -> tuple[str, ...]:
    """The fields holding an agency's result at a meeting, in an event of a meeting."""
    if "meeting_id" not in event_type.model_fields:
        return ()
    return tuple(name for name in ("results", "result") if name in event_type.model_fields)


def rows_touched(envelope: EnvelopeAttributes, event: DomainEvent) -> list[str]:
    """The subject rows an event's projection will probably read, so that one query
    per batch loads them all (a miss costs a query of its own, not a wrong answer)."""
    keys = [envelope["subject"]]
    for name, kind in _id_fields(type(event)):
        value = getattr(event, name)
        if isinstance(value, str) and value:
            keys.append(value)
            if kind is not None:
                keys.append(f"{kind}:{value}")
    for name in _result_fields(type(event)):
        value = getattr(event, name)
        meeting = getattr(event, "meeting_id")  # noqa: B009 (not on every DomainEvent)
        for result in value if isinstance(value, tuple) else (value,):
            keys.append(f"evaluation_result:{meeting}:{result.agency_id}")
    return keys


@dataclass
class DecodedBatch:
    """Records read and decoded, ready to be written in one transaction."""

    records: Sequence[Record]
    readable: list[tuple[Record, EnvelopeAttributes, DomainEvent]]
    unreadable: list[tuple[Record, str]]
    too_late: int = 0


def decode_batch(records: Sequence[Record], as_of: datetime | None = None) -> DecodedBatch:
    """Decode ``records``; no database work, so it may run ahead in another thread."""
    batch = DecodedBatch(records, [], [])
    for record in records:
        try:
            envelope, event = read_in_one_pass(record.key, record.value)
        except (MalformedRecord, UnknownEventType, InvalidEventData) as exc:
            batch.unreadable.append((record, exc.reason))
            continue
        if as_of is not None and envelope["time"] > as_of:
            batch.too_late += 1
            continue
        batch.readable.append((record, envelope, event))
    return batch


def apply_batch(
    engine: Engine,
    records: Sequence[Record],
    *,
    as_of: datetime | None = None,
    dead_letter_sink: DeadLetterSink | None = None,
) -> BatchResult:
    """Project ``records`` and store the offsets after them, all or nothing."""
    with engine.begin() as conn:
        uow = UnitOfWork(subject_reader(conn))
        result = project_batch(uow, decode_batch(records, as_of), dead_letter_sink)
        plan = uow.plan()
        stored = read_offsets(conn)
        plan.expected = {key: stored.get(key) for key in plan.offsets}
        write(conn, plan)
    return result


def project_batch(
    uow: UnitOfWork, batch: DecodedBatch, dead_letter_sink: DeadLetterSink | None = None
) -> BatchResult:
    """Fold a decoded batch into ``uow``: its rows, its log entries, its dead letters
    and the offsets after it. Nothing is written yet (see ``UnitOfWork.plan``)."""
    result = BatchResult(skipped=batch.too_late)
    readable = batch.readable
    unreadable = list(batch.unreadable)

    uow.prefetch(key for _, envelope, event in readable for key in rows_touched(envelope, event))
    find, subject, append_log = uow.find, uow.subject, uow.log.append
    for record, envelope, event in readable:
        stream = find(envelope["subject"])
        if stream is not None and stream["last_sequence"] >= envelope["sequence"]:
            result.skipped += 1  # seen before: the log is read at least once upstream
            continue
        projection = PROJECTIONS.get(type(event))
        if projection is not None:
            try:
                projection(uow, envelope, event)
            except Exception as exc:  # a bug or an impossible event must not stop us
                log.exception("projection of %s failed", envelope["type"])
                unreadable.append((record, f"projection failed: {exc!r}"))
                continue
        subject(envelope["subject"], "stream")["last_sequence"] = envelope["sequence"]
        # in ``insert_columns(schema.event_log)`` order
        append_log(
            (
                envelope["id"],
                envelope["subject"],
                envelope["type"],
                envelope["time"].timestamp(),
                envelope["sequence"],
                record.topic,
                record.partition,
                record.offset,
                envelope["regioncode"],
                envelope["actor"],
                record.value or b"",
            )
        )
        result.applied += 1
    for record, reason in unreadable:
        uow.dead.append((record.topic, record.partition, record.offset, reason[:2000]))
        if dead_letter_sink is not None:
            dead_letter_sink(record, reason)
    result.dead = len(unreadable)
    offsets = uow.offsets
    for record in batch.records:
        key = (record.topic, record.partition)
        offsets[key] = max(offsets.get(key, 0), record.offset + 1)
    return result
