"""Shared building blocks of the API's answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from services.reporting.api.access import KIND_RESOURCE
from services.reporting.api.models import AgencyRef, EventSummary, RegionRef
from services.reporting.readmodels import schema
from services.reporting.readmodels.drilldown import EventRow, SubjectRow
from services.reporting.readmodels.status import stored_offsets
from shared.access_policy import EVENT_FIELDS, Target, event_label, may_read, may_read_event
from shared.actors import Actor
from shared.regions import jiangxi


def region_ref(code: str) -> RegionRef:
    region = jiangxi().get(code)
    return RegionRef(code=region.code, name=region.name, level=region.level.value)


def offsets(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(schema.offsets)).all()
    return {f"{r.topic}:{r.partition}": r.next_offset for r in sorted(rows)}


def agency_ref(row: dict[str, object]) -> AgencyRef:
    return AgencyRef(
        agency_id=str(row["agency_id"]),
        name=str(row["name"]),
        region_code=str(row["region_code"]),
        level=str(row["level"]),
        sector=str(row["sector"]),
    )


def agency_row(conn: Connection, agency_id: str) -> dict[str, object] | None:
    row = (
        conn.execute(select(schema.agencies).where(schema.agencies.c.agency_id == agency_id))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def may_see_subject(actor: Actor, row: SubjectRow) -> bool:
    """A read-model row is listed only where the policy lets the actor read what it is."""
    resource = KIND_RESOURCE.get(row.kind)
    return resource is not None and may_read(
        actor, resource, Target(region_code=row.region_code, agency_id=row.agency_id)
    )


# Every role that reads a drill-down reads these (its EVENT_FIELDS hold them); a
# summary without them would not say which event it is.
_ALWAYS = ("event_id", "subject", "type")


def summaries(actor: Actor, events: list[EventRow]) -> list[EventSummary]:
    """The events the actor may read, each cut to the fields the actor's role may read:
    never the event's data. Derived from ``shared.access_policy`` alone."""
    fields = EVENT_FIELDS[actor.role]
    shown: list[EventSummary] = []
    for event in events:
        target = Target(region_code=event.region_code, agency_id=event.agency_id)
        if not may_read_event(actor, event.type, target):
            continue
        values: dict[str, Any] = {
            "event_id": event.event_id,
            "subject": event.subject,
            "type": event_label(event.type),
            "sequence": event.sequence,
            "day": event.time.date(),
            "time": event.time,
            "status": event.status,
            "category": event.category,
            "region_code": event.region_code,
            "agency_id": event.agency_id,
            "actor": event.actor,
        }
        shown.append(
            EventSummary(**{k: v for k, v in values.items() if k in fields or k in _ALWAYS})
        )
    return shown


__all__ = [
    "agency_ref",
    "agency_row",
    "may_see_subject",
    "offsets",
    "region_ref",
    "stored_offsets",
    "summaries",
]
