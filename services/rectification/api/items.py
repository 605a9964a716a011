"""Rectification items: lists per agency and region, and every step on an item (each
``POST /items/{item_id}/<step>``, its body the step's input)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.rectification.api.deps import ACTING, AppDep, RegionQuery
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
from services.rectification.application import items
from services.rectification.application.items import ItemFilters, NamedItem
from services.rectification.domain.items.state import ItemStatus
from shared.auth import CurrentActor
from shared.params import IdPath, Limit, Offset, RegionPath
from shared.routes import post_action

router = APIRouter(tags=["items 整改事项"])

Statuses = Annotated[list[ItemStatus] | None, Query(description="any of these statuses")]
DueBefore = Annotated[date | None, Query(description="deadline on or before")]
DueAfter = Annotated[date | None, Query(description="deadline on or after")]
Overdue = Annotated[bool | None, Query(description="only overdue (true) or not overdue (false)")]
Escalated = Annotated[bool | None, Query(description="only escalated (true) or not (false)")]


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


def _view(found: NamedItem) -> ItemView:
    return ItemView.of(found.item, found.agency_name)


def _page(filters: ItemFilters, listed: tuple[int, list[NamedItem]]) -> ItemPage:
    return ItemPage.of(listed, filters.offset, filters.limit, _view)


@router.get(
    "/items",
    response_model=ItemPage,
    summary="整改事项列表（按机关、辖区、状态、时限筛选，分页） / List items",
)
async def list_items(
    actor: CurrentActor,
    app: AppDep,
    filters: Filters,
    agency_id: str | None = None,
    region_code: RegionQuery = None,
) -> ItemPage:
    return _page(filters, items.list_items(app, actor, filters, agency_id, region_code))


@router.get(
    "/agencies/{agency_id}/items",
    response_model=ItemPage,
    summary="某执法机关的整改事项 / Items of one agency",
)
async def list_agency_items(
    agency_id: IdPath, actor: CurrentActor, app: AppDep, filters: Filters
) -> ItemPage:
    return _page(filters, items.list_agency_items(app, actor, agency_id, filters))


@router.get(
    "/regions/{region_code}/items",
    response_model=ItemPage,
    summary="某辖区（含下级）的整改事项 / Items of a region and below",
)
async def list_region_items(
    region_code: RegionPath, actor: CurrentActor, app: AppDep, filters: Filters
) -> ItemPage:
    return _page(filters, items.list_region_items(app, actor, region_code, filters))


@router.get("/items/{item_id}", response_model=ItemView, summary="整改事项详情 / One item")
async def get_item(item_id: IdPath, actor: CurrentActor, app: AppDep) -> ItemView:
    return _view(items.get_item(app, actor, item_id))


_step = partial(post_action, router, response_model=ItemView, view=_view, depends=ACTING)

_step(
    "/items/{item_id}/responsible-person",
    items.name_person,
    summary="指定整改责任人 / Name the person responsible",
    body=NamePersonRequest,
)
_step(
    "/items/{item_id}/progress",
    items.report_progress,
    summary="报告整改进展 / Report progress",
    body=ProgressRequest,
)
_step(
    "/items/{item_id}/completion",
    items.complete,
    summary="报告整改完成及措施 / Report completion with the measures taken",
    body=CompletionRequest,
)
_step(
    "/items/{item_id}/verification",
    items.verify,
    summary="法制办核验销号 / Legal office verifies and closes",
    body=VerificationRequest,
    body_required=False,
)
_step(
    "/items/{item_id}/return",
    items.return_item,
    summary="法制办退回并说明理由 / Legal office returns it with reasons",
    body=ReturnRequest,
)
_step(
    "/items/{item_id}/extension-request",
    items.request_extension,
    summary="申请延期（须说明理由） / Ask for an extension with a reason",
    body=ExtensionRequest,
)
_step(
    "/items/{item_id}/extension-request/approval",
    items.approve_extension,
    summary="法制办批准延期 / Legal office approves the extension",
)
_step(
    "/items/{item_id}/extension-request/decline",
    items.decline_extension,
    summary="法制办不予延期 / Legal office declines the extension",
    body=ExtensionDecline,
)
