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
