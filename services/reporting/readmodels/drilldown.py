"""The rows behind figures and timelines: an aggregate's read-model row, the subjects
a figure counts, and their events without data, for the API to cut by the access
policy; and an aggregate's stored envelopes as they are (audit builds)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import region_scope
from services.reporting.readmodels.metrics import subject_filter


@dataclass(frozen=True)
class SubjectRow:
    """What the access policy needs to know of one read-model row."""

    subject: str
    kind: str
    region_code: str
    agency_id: str
    status: str
    category: str
    ref: str = ""  # a derived row's owner aggregate (``referral:…`` -> its case)


@dataclass(frozen=True)
class EventRow:
    """One stored event without its data: what a drill-down or timeline row is cut from.
    ``region_code``, ``agency_id``, ``status`` and ``category`` are its aggregate's."""

    event_id: str
    subject: str
    type: str
    sequence: int
    time: datetime
    region_code: str
    agency_id: str
    status: str
    category: str
    actor: str


def _subject_rows(
    conn: Connection, conditions: list[ColumnElement[bool]], limit: int | None = None
) -> list[SubjectRow]:
    s, a = schema.subjects, schema.agencies
    rows = conn.execute(
        select(
            s.c.subject,
            s.c.kind,
            s.c.region_code,
            a.c.region_code.label("agency_region"),
            s.c.agency_id,
            s.c.status,
            s.c.category,
            s.c.ref,
        )
        .select_from(s.outerjoin(a, a.c.agency_id == s.c.agency_id))
        .where(*conditions)
        .order_by(s.c.subject)
        .limit(limit)
    ).all()
    return [
        SubjectRow(
            subject=r.subject,
            kind=r.kind,
            region_code=r.region_code or r.agency_region or "",
            agency_id=r.agency_id,
            status=r.status,
            category=r.category,
            ref=r.ref,
        )
        for r in rows
    ]


def subject_row(conn: Connection, subject: str) -> SubjectRow | None:
    """The read-model row of an aggregate; its region falls back to its agency's, then
    to the region its events name."""
    found = _subject_rows(conn, [schema.subjects.c.subject == subject])
    if not found:
        return None
    row = found[0]
    if row.region_code:
        return row
    log = schema.event_log
    any_region = conn.execute(
        select(log.c.region_code).where(log.c.subject == subject, log.c.region_code != "")
    ).scalar()
    return replace(row, region_code=str(any_region or ""))


def event_rows(conn: Connection, aggregate_ids: list[str]) -> list[EventRow]:
    """The events of these aggregates in stream order, without their data."""
    log = schema.event_log
    owners: dict[str, SubjectRow] = {}
    for start in range(0, len(aggregate_ids), 500):
        chunk = aggregate_ids[start : start + 500]
        owners.update(
            {r.subject: r for r in _subject_rows(conn, [schema.subjects.c.subject.in_(chunk)])}
        )
    events: list[EventRow] = []
    for start in range(0, len(aggregate_ids), 500):
        chunk = aggregate_ids[start : start + 500]
        rows = conn.execute(
            select(
                log.c.event_id,
                log.c.subject,
                log.c.type,
                log.c.sequence,
                log.c.time,
                log.c.region_code,
                log.c.actor,
            )
            .where(log.c.subject.in_(chunk))
            .order_by(log.c.subject, log.c.sequence)
        ).all()
        for r in rows:
            owner = owners.get(r.subject)
            events.append(
                EventRow(
                    event_id=r.event_id,
                    subject=r.subject,
                    type=r.type,
                    sequence=r.sequence,
                    time=datetime.fromtimestamp(r.time, UTC),
                    region_code=(owner.region_code if owner else "") or r.region_code,
                    agency_id=owner.agency_id if owner else "",
                    status=owner.status if owner else "",
                    category=owner.category if owner else "",
                    actor=r.actor,
                )
            )
    return events


def events_behind(
    conn: Connection,
    metric: str,
    *,
    region_code: str | None = None,
    agency_id: str | None = None,
    limit: int = 500,
) -> list[SubjectRow]:
    """The subjects a figure counts (the caller reads the events of those it may see
    with :func:`event_rows` of their :func:`aggregate_of`)."""
    s = schema.subjects
    conditions: list[ColumnElement[bool]] = []
    for column, value in subject_filter(metric).items():
        if column == "verified":
            conditions.append(s.c.verified_at.is_not(None))
        else:
            conditions.append(getattr(s.c, column) == value)
    if region_code is not None:
        scope = region_scope(region_code)
        in_scope_agencies = select(schema.agencies.c.agency_id).where(
            schema.agencies.c.region_code.in_(scope)
        )
        conditions.append(
            or_(
                s.c.region_code.in_(scope),
                and_(s.c.region_code == "", s.c.agency_id.in_(in_scope_agencies)),
            )
        )
    if agency_id is not None:
        conditions.append(s.c.agency_id == agency_id)
    return _subject_rows(conn, conditions, limit)


def aggregate_of(row: SubjectRow) -> str:
    """The stream a row's events are on: derived rows (``referral:…``,
    ``raised_problem:…``) live on their owner's."""
    return row.ref if ":" in row.subject else row.subject


def timeline(conn: Connection, subject: str) -> list[dict[str, Any]]:
    """Every stored envelope of one aggregate, raw (audit builds and storage checks; the
    API shows :func:`event_rows` cut by the access policy instead)."""
    log = schema.event_log
    rows = conn.execute(
        select(log).where(log.c.subject == subject).order_by(log.c.sequence, log.c.time)
    ).mappings()
    return [_event_row(row) for row in rows]


def _event_row(row: Any) -> dict[str, Any]:
    envelope = json.loads(row["data"])
    return {
        "event_id": row["event_id"],
        "subject": row["subject"],
        "type": row["type"],
        "time": envelope.get("time"),
        "sequence": row["sequence"],
        "topic": row["topic"],
        "partition": row["partition"],
        "offset": row["offset"],
        "region_code": row["region_code"],
        "actor": row["actor"],
        "data": envelope.get("data", {}),
    }
