"""Read-side queries: rankings, campaign progress, timelines, events behind a figure."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import (
    derive,
    load_groups,
    raw_by_agency,
    raw_by_region,
    region_scope,
    subject_filter,
)
from shared.regions import RegionLevel, jiangxi

# Which rate ranks, which volume it needs, and whether higher is better.
RANKINGS: dict[str, tuple[str, str, bool]] = {
    "satisfaction": ("evaluation.satisfaction_rate", "evaluation.ballots", True),
    "dissatisfaction": ("evaluation.dissatisfaction_rate", "evaluation.ballots", False),
    "on_time": ("items.on_time_rate", "items.deadline_known", True),
    "completion": ("items.completion_rate", "items.total", True),
}


@dataclass(frozen=True)
class RankedEntry:
    id: str
    name: str
    value: float
    volume: float
    rank: int | None


def rank(
    figures_by_id: dict[str, dict[str, float]],
    names: dict[str, str],
    metric: str,
    min_volume: int,
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    """Ranked entries (volume ≥ ``min_volume``) and those left out for too small a volume."""
    rate_key, volume_key, higher_is_better = RANKINGS[metric]
    eligible: list[RankedEntry] = []
    too_small: list[RankedEntry] = []
    for key, figures in figures_by_id.items():
        if rate_key not in figures:
            continue
        volume = figures.get(volume_key, 0)
        entry = RankedEntry(key, names.get(key, key), figures[rate_key], volume, None)
        (eligible if volume >= min_volume else too_small).append(entry)
    eligible.sort(key=lambda e: (-e.value if higher_is_better else e.value, -e.volume, e.id))
    ranked = [
        RankedEntry(e.id, e.name, e.value, e.volume, position)
        for position, e in enumerate(eligible, start=1)
    ]
    return ranked, sorted(too_small, key=lambda e: e.id)


def agency_names(conn: Connection, region_code: str | None = None) -> dict[str, dict[str, Any]]:
    query = select(schema.agencies)
    if region_code is not None:
        query = query.where(schema.agencies.c.region_code.in_(region_scope(region_code)))
    return {row["agency_id"]: dict(row) for row in conn.execute(query).mappings()}


def agency_ranking(
    conn: Connection, region_code: str, metric: str, min_volume: int
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    agencies = agency_names(conn, region_code)
    groups = load_groups(conn, region_codes=region_scope(region_code))
    by_agency = {
        agency: derive(raw) for agency, raw in raw_by_agency(groups).items() if agency in agencies
    }
    return rank(by_agency, {a: r["name"] for a, r in agencies.items()}, metric, min_volume)


def region_ranking(
    conn: Connection, parent_code: str, level: RegionLevel, metric: str, min_volume: int
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    regions = jiangxi()
    members = [r for r in regions.descendants(parent_code) if r.level is level]
    rolled = raw_by_region(load_groups(conn, region_codes=region_scope(parent_code)))
    by_region = {r.code: derive(rolled.get(r.code, {})) for r in members}
    return rank(by_region, {r.code: r.name for r in members}, metric, min_volume)


def campaign_progress(conn: Connection, campaign_id: str, today: date) -> dict[str, Any] | None:
    row = (
        conn.execute(select(schema.campaigns).where(schema.campaigns.c.campaign_id == campaign_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    s = schema.subjects
    phases = []
    for phase in json.loads(row["phases"]):
        starts, ends = date.fromisoformat(phase["starts_on"]), date.fromisoformat(phase["ends_on"])
        if today < starts:
            state, elapsed = "not_started", 0.0
        elif today > ends:
            state, elapsed = "finished", 1.0
        else:
            state = "in_progress"
            total = max((ends - starts).days + 1, 1)
            elapsed = round(((today - starts).days + 1) / total, 4)
        window = and_(
            s.c.campaign_id == campaign_id,
            s.c.opened_at >= datetime.combine(starts, datetime.min.time(), UTC).timestamp(),
            s.c.opened_at < datetime.combine(ends, datetime.max.time(), UTC).timestamp(),
        )
        counts: dict[str, int] = {}
        for kind, count in conn.execute(
            select(s.c.kind, func.count()).where(window).group_by(s.c.kind)
        ).all():
            counts[kind] = int(count)
        phases.append(
            {
                **phase,
                "state": state,
                "time_elapsed": elapsed,
                "opened_in_phase": counts,
            }
        )
    return {
        "campaign_id": campaign_id,
        "name": row["name"],
        "document_no": row["document_no"],
        "as_of_date": today.isoformat(),
        "phases": phases,
    }


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
