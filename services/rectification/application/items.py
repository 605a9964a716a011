"""Rectification items: opening one per problem, the lists per agency and region,
every action on an item, and the deadline check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.rectification.application.app import (
    ITEM,
    SYSTEM_ACTOR,
    RectificationApp,
    act,
    check,
    context,
)
from services.rectification.application.lookups import visible_item
from services.rectification.directory import rectification_terms
from services.rectification.domain.items.commands import (
    ApproveExtension,
    CheckDeadline,
    CompleteItem,
    DeclineExtension,
    ItemCommand,
    NameResponsiblePerson,
    OpenItem,
    ReportProgress,
    RequestExtension,
    ReturnItem,
    VerifyItem,
)
from services.rectification.domain.items.state import ItemState, ItemStatus, item_id_for
from services.rectification.domain.reading import (
    agency_list_scope,
    item_list_scope,
    region_list_scope,
)
from shared.actors import Actor
from shared.errors import Conflict
from shared.events.intake import ProblemFound
from shared.events.rectification import EvidenceRef
from shared.paging import window
from shared.regions import jiangxi


@dataclass(frozen=True)
class NamedItem:
    """An item with its agency's name from the directory (empty while unknown)."""

    item: ItemState
    agency_name: str


@dataclass(frozen=True)
class ItemFilters:
    """What every item list accepts: status, deadline window, flags, paging."""

    status: list[ItemStatus] | None = None
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool | None = None
    escalated: bool | None = None
    offset: int = 0
    limit: int = 50

    def admits(self, item: ItemState) -> bool:
        return not (
            (self.status and item.status not in self.status)
            or (self.due_before is not None and item.due_on > self.due_before)
            or (self.due_after is not None and item.due_on < self.due_after)
            or (self.overdue is not None and item.overdue != self.overdue)
            or (self.escalated is not None and item.escalated != self.escalated)
        )


# -- opening ------------------------------------------------------------------------


async def open_item(
    app: RectificationApp, problem: ProblemFound, *, correlation_id: str, causation_id: str
) -> bool:
    """Open the item for ``problem`` on its campaign's terms (the 2016 plan's while the
    campaign is unknown); False if it was already open."""
    terms = rectification_terms(app.directory, problem.campaign_id)
    command = OpenItem(
        problem=problem,
        rules=terms.rules,
        rectification_starts_on=terms.starts_on,
        rectification_ends_on=terms.ends_on,
        rules_known=terms.known,
        at=app.now(),
    )
    opened_by = context(
        SYSTEM_ACTOR, problem, correlation_id=correlation_id, causation_id=causation_id
    )
    try:
        await app.store.execute(ITEM, item_id_for(problem.problem_id), command, opened_by)
    except Conflict:
        return False
    return True


# -- reading --------------------------------------------------------------------------


def named(app: RectificationApp, item: ItemState) -> NamedItem:
    return NamedItem(item, app.agency_name(item.agency_id))


def get_item(app: RectificationApp, actor: Actor, item_id: str) -> NamedItem:
    return named(app, visible_item(app, actor, item_id))


def list_items(
    app: RectificationApp,
    actor: Actor,
    filters: ItemFilters,
    agency_id: str | None = None,
    region_code: str | None = None,
) -> tuple[int, list[NamedItem]]:
    """The items the actor reads, of ``agency_id`` and ``region_code`` when given:
    how many, and one page of them (earliest deadline first)."""
    agency, region = item_list_scope(actor, agency_id, region_code)
    return _select(app, filters, agency_id=agency, region_code=region)


def list_agency_items(
    app: RectificationApp, actor: Actor, agency_id: str, filters: ItemFilters
) -> tuple[int, list[NamedItem]]:
    region = agency_list_scope(actor, agency_id)
    return _select(app, filters, agency_id=agency_id, region_code=region)


def list_region_items(
    app: RectificationApp, actor: Actor, region_code: str, filters: ItemFilters
) -> tuple[int, list[NamedItem]]:
    region = region_list_scope(actor, region_code)
    return _select(app, filters, agency_id=None, region_code=region)


def _select(
    app: RectificationApp,
    filters: ItemFilters,
    *,
    agency_id: str | None,
    region_code: str | None,
) -> tuple[int, list[NamedItem]]:
    regions = jiangxi()

    def chosen(item: ItemState | None) -> bool:
        if item is None:
            return False
        if agency_id is not None and item.agency_id != agency_id:
            return False
        if region_code is not None and (
            item.region_code not in regions or not regions.is_within(item.region_code, region_code)
        ):
            return False
        return filters.admits(item)

    total, page = window(
        (item for _, item in app.store.all(ITEM) if chosen(item)),
        key=lambda i: (i.due_on, i.item_id),
        offset=filters.offset,
        limit=filters.limit,
    )
    return total, [named(app, item) for item in page]


# -- acting ---------------------------------------------------------------------------


async def _act(
    app: RectificationApp, actor: Actor, item_id: str, command: ItemCommand
) -> NamedItem:
    item = visible_item(app, actor, item_id)
    changed: ItemState = await act(app, ITEM, item_id, command, actor, item)
    return named(app, changed)


async def name_person(
    app: RectificationApp, actor: Actor, item_id: str, responsible_person: str
) -> NamedItem:
    command = NameResponsiblePerson(actor, responsible_person, app.now())
    return await _act(app, actor, item_id, command)


async def report_progress(
    app: RectificationApp,
    actor: Actor,
    item_id: str,
    note: str,
    percent: int,
    evidence: Sequence[EvidenceRef] = (),
) -> NamedItem:
    command = ReportProgress(actor, note, percent, tuple(evidence), app.now())
    return await _act(app, actor, item_id, command)


async def complete(
    app: RectificationApp,
    actor: Actor,
    item_id: str,
    measures: str,
    evidence: Sequence[EvidenceRef] = (),
) -> NamedItem:
    command = CompleteItem(actor, measures, tuple(evidence), app.now())
    return await _act(app, actor, item_id, command)


async def verify(app: RectificationApp, actor: Actor, item_id: str, note: str = "") -> NamedItem:
    return await _act(app, actor, item_id, VerifyItem(actor, note, app.now()))


async def return_item(app: RectificationApp, actor: Actor, item_id: str, reasons: str) -> NamedItem:
    return await _act(app, actor, item_id, ReturnItem(actor, reasons, app.now()))


async def request_extension(
    app: RectificationApp, actor: Actor, item_id: str, due_on: date, reason: str
) -> NamedItem:
    command = RequestExtension(actor, due_on, reason, app.now())
    return await _act(app, actor, item_id, command)


async def approve_extension(app: RectificationApp, actor: Actor, item_id: str) -> NamedItem:
    return await _act(app, actor, item_id, ApproveExtension(actor, app.now()))


async def decline_extension(
    app: RectificationApp, actor: Actor, item_id: str, reasons: str
) -> NamedItem:
    return await _act(app, actor, item_id, DeclineExtension(actor, reasons, app.now()))


# -- deadlines ------------------------------------------------------------------------


async def check_deadline(app: RectificationApp, item_id: str, at: datetime) -> bool:
    """Emit every threshold of the item reached by ``at``; True if any was."""
    return await check(app, ITEM, item_id, CheckDeadline(at=at))
