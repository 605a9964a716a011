"""``@projects(EventType)`` registers the function that folds that event into rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.events.base import DomainEvent
from shared.events.reader import EnvelopeAttributes

Projection = Callable[[UnitOfWork, EnvelopeAttributes, Any], None]
P = TypeVar("P", bound=Projection)

PROJECTIONS: dict[type[DomainEvent], Projection] = {}


def projects(*event_types: type[DomainEvent]) -> Callable[[P], P]:
    def register(func: P) -> P:
        for event_type in event_types:
            PROJECTIONS[event_type] = func
        return func

    return register


RowOf = Callable[[UnitOfWork, EnvelopeAttributes, Any], dict[str, Any]]


def stream_row(kind: str) -> RowOf:
    """The row of the aggregate an event of a ``kind`` stream is about: the one its
    ``<kind>_id`` names, else the envelope's subject."""
    id_field = f"{kind}_id"

    def row(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> dict[str, Any]:
        return uow.subject(getattr(event, id_field, "") or envelope["subject"], kind)

    return row


def moved(row_of: RowOf, status: str, **moments: str) -> Projection:
    """The projection of an event that moves its aggregate to ``status``: each column
    named in ``moments`` takes the time of the event's field named beside it."""

    def project(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
        times = {column: ts(getattr(event, field)) for column, field in moments.items()}
        row_of(uow, envelope, event).update(status=status, **times)

    return project


def scope_of(event: Any) -> dict[str, Any]:
    """The campaign, agency and region an event names, as its row records them."""
    return {
        "campaign_id": event.campaign_id,
        "agency_id": event.agency_id,
        "region_code": event.region_code,
    }


def ts(moment: datetime | None) -> float | None:
    """A time as stored in the read models: epoch seconds."""
    return None if moment is None else moment.timestamp()


def days_between(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start) / 86400, 4)


def derived(
    uow: UnitOfWork, kind: str, key: str, owner: EnvelopeAttributes, *, new: bool = False
) -> dict[str, Any]:
    """A row that is not an aggregate of its own (a referral, an exposure, an agency's
    result at a meeting): keyed ``<kind>:<key>``, ``ref`` = the owning aggregate.
    ``new``: the key is unique to this event, so there is nothing to look up."""
    subject = f"{kind}:{key}"
    if new:
        uow.missing.add(subject)
    row = uow.subject(subject, kind)
    row["ref"] = owner["subject"]
    return row


def copy_scope(
    row: dict[str, Any], source: dict[str, Any] | None, envelope: EnvelopeAttributes
) -> None:
    """Attribute ``row`` to the same campaign, agency and region as ``source``."""
    if source is not None:
        row["campaign_id"] = source["campaign_id"]
        row["agency_id"] = source["agency_id"]
        row["region_code"] = source["region_code"]
    if not row["region_code"]:
        row["region_code"] = envelope["regioncode"]
    if not row["campaign_id"]:
        row["campaign_id"] = envelope["campaignid"]
