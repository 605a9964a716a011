"""Rectification items: lists per agency and region, and every action on an item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.rectification.api.deps import (
    REGION_READERS,
    Runtime,
    context,
    require_reader_of_item,
    require_reader_of_region,
    visible_item,
)
from services.rectification.api.models import (
    CompletionRequest,
    ExtensionDecline,
    ExtensionRequest,
    ItemPage,
    ItemView,
    NamePersonRequest,
    ProgressRequest,
    ReturnRequest,
    VerificationRequest,
)
from services.rectification.domain.items import (
    ApproveExtension,
    CompleteItem,
    DeclineExtension,
    ItemState,
    ItemStatus,
    NameResponsiblePerson,
    ReportProgress,
    RequestExtension,
    ReturnItem,
    VerifyItem,
)
from services.rectification.runtime import ITEM, RectificationRuntime
from shared.actors import Actor, Role
from shared.auth import CurrentActor
from shared.errors import Forbidden
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region
from shared.text import IdPath, RegionPath

router = APIRouter(tags=["items 整改事项"])

Statuses = Annotated[list[ItemStatus] | None, Query(description="any of these statuses")]
DueBefore = Annotated[date | None, Query(description="deadline on or before")]
DueAfter = Annotated[date | None, Query(description="deadline on or after")]
Overdue = Annotated[bool | None, Query(description="only overdue (true) or not overdue (false)")]
Escalated = Annotated[bool | None, Query(description="only escalated (true) or not (false)")]
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$")]


@dataclass(frozen=True)
class ItemFilters:
    """The query every item list accepts: status, deadline window, flags, paging."""

    status: list[ItemStatus] | None
    due_before: date | None
    due_after: date | None
    overdue: bool | None
    escalated: bool | None
    offset: int
    limit: int

    def admits(self, item: ItemState) -> bool:
        return not (
            (self.status and item.status not in self.status)
            or (self.due_before is not None and item.due_on > self.due_before)
            or (self.due_after is not None and item.due_on < self.due_after)
            or (self.overdue is not None and item.overdue != self.overdue)
            or (self.escalated is not None and item.escalated != self.escalated)
        )


def item_filters(
    status: Statuses = None,
    due_before: DueBefore = None,
    due_after: DueAfter = None,
    overdue: Overdue = None,
    escalated: Escalated = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ItemFilters:
    return ItemFilters(status, due_before, due_after, overdue, escalated, offset, limit)


Filters = Annotated[ItemFilters, Depends(item_filters)]


def _select(
    runtime: RectificationRuntime,
    filters: ItemFilters,
    *,
    agency_id: str | None,
    region_code: str | None,
) -> ItemPage:
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
        (item for _, item in runtime.events.all(ITEM) if chosen(item)),
        key=lambda i: (i.due_on, i.item_id),
        offset=filters.offset,
        limit=filters.limit,
    )
    return ItemPage(
        total=total,
        offset=filters.offset,
        limit=filters.limit,
        items=[_view(runtime, i) for i in page],
    )


@router.get(
    "/items",
    response_model=ItemPage,
    summary="整改事项列表（按机关、辖区、状态、时限筛选，分页） / List items",
)
async def list_items(
    actor: CurrentActor,
    runtime: Runtime,
    filters: Filters,
    agency_id: str | None = None,
    region_code: RegionQuery = None,
) -> ItemPage:
    if actor.role is Role.agency_staff:
        if agency_id not in (None, actor.organisation):
            raise Forbidden(
                "执法机关人员只能查看本机关的整改事项",
                "agency staff may read only their own agency's items",
                code="agency_not_allowed",
            )
        agency_id = actor.organisation
    else:
        actor.require(*REGION_READERS)
        region_code = known_region(region_code or actor.region_code)
        require_reader_of_region(actor, region_code)
    return _select(runtime, filters, agency_id=agency_id, region_code=region_code)


@router.get(
    "/agencies/{agency_id}/items",
    response_model=ItemPage,
    summary="某执法机关的整改事项 / Items of one agency",
)
async def list_agency_items(
    agency_id: IdPath, actor: CurrentActor, runtime: Runtime, filters: Filters
) -> ItemPage:
    region_code: str | None = None
    if actor.role is Role.agency_staff:
        require_reader_of_item(actor, agency_id, "")
    else:
        actor.require(*REGION_READERS)
        region_code = known_region(actor.region_code)
        require_reader_of_region(actor, region_code)
    return _select(
        runtime,
        filters,
        agency_id=agency_id,
        region_code=region_code,
    )


@router.get(
    "/regions/{region_code}/items",
    response_model=ItemPage,
    summary="某辖区（含下级）的整改事项 / Items of a region and below",
)
async def list_region_items(
    region_code: RegionPath, actor: CurrentActor, runtime: Runtime, filters: Filters
) -> ItemPage:
    actor.require(*REGION_READERS)
    known_region(region_code)
    require_reader_of_region(actor, region_code)
    return _select(runtime, filters, agency_id=None, region_code=region_code)


def _view(runtime: RectificationRuntime, item: ItemState) -> ItemView:
    agency = runtime.directory.agencies.get(item.agency_id)
    return ItemView.of(item, agency.name if agency else "")


def _item(runtime: RectificationRuntime, item_id: str) -> ItemState:
    state: ItemState = runtime.events.require(ITEM, item_id).state
    return state


@router.get("/items/{item_id}", response_model=ItemView, summary="整改事项详情 / One item")
async def get_item(item_id: IdPath, actor: CurrentActor, runtime: Runtime) -> ItemView:
    return _view(runtime, visible_item(runtime, actor, item_id))


async def _act(runtime: RectificationRuntime, actor: Actor, item_id: str, command: Any) -> ItemView:
    item = visible_item(runtime, actor, item_id)
    await runtime.events.execute(
        ITEM, item_id, command, context(actor, item.campaign_id, item.region_code)
    )
    return _view(runtime, _item(runtime, item_id))


@router.post(
    "/items/{item_id}/responsible-person",
    response_model=ItemView,
    summary="指定整改责任人 / Name the person responsible",
)
async def name_person(
    item_id: IdPath, body: NamePersonRequest, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = NameResponsiblePerson(actor, body.responsible_person, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/progress", response_model=ItemView, summary="报告整改进展 / Report progress"
)
async def report_progress(
    item_id: IdPath, body: ProgressRequest, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = ReportProgress(
        actor, body.note, body.percent, tuple(body.evidence), runtime.clock.now()
    )
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/completion",
    response_model=ItemView,
    summary="报告整改完成及措施 / Report completion with the measures taken",
)
async def complete(
    item_id: IdPath, body: CompletionRequest, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = CompleteItem(actor, body.measures, tuple(body.evidence), runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/verification",
    response_model=ItemView,
    summary="法制办核验销号 / Legal office verifies and closes",
)
async def verify(
    item_id: IdPath,
    actor: CurrentActor,
    runtime: Runtime,
    body: VerificationRequest | None = None,
) -> ItemView:
    note = body.note if body else ""
    command = VerifyItem(actor, note, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/return",
    response_model=ItemView,
    summary="法制办退回并说明理由 / Legal office returns it with reasons",
)
async def return_item(
    item_id: IdPath, body: ReturnRequest, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = ReturnItem(actor, body.reasons, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/extension-request",
    response_model=ItemView,
    summary="申请延期（须说明理由） / Ask for an extension with a reason",
)
async def request_extension(
    item_id: IdPath, body: ExtensionRequest, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = RequestExtension(actor, body.due_on, body.reason, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/extension-request/approval",
    response_model=ItemView,
    summary="法制办批准延期 / Legal office approves the extension",
)
async def approve_extension(
    item_id: IdPath,
    actor: CurrentActor,
    runtime: Runtime,
) -> ItemView:
    command = ApproveExtension(actor, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)


@router.post(
    "/items/{item_id}/extension-request/decline",
    response_model=ItemView,
    summary="法制办不予延期 / Legal office declines the extension",
)
async def decline_extension(
    item_id: IdPath, body: ExtensionDecline, actor: CurrentActor, runtime: Runtime
) -> ItemView:
    command = DeclineExtension(actor, body.reasons, runtime.clock.now())
    return await _act(runtime, actor, item_id, command)
