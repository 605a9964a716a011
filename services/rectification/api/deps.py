"""What every route needs: the runtime, the time, the command context, read access.

Authorization comes before existence: the role is checked first (it does not depend
on the id), then an unknown id and one the actor may not see get the same 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.rectification.domain.access import not_visible, require_region
from services.rectification.domain.cases import CaseState
from services.rectification.domain.items import ItemState
from services.rectification.runtime import CASE, ITEM, RectificationRuntime
from shared.access_policy import Resource, Scope, Target, may_read, readers_of
from shared.actors import Actor, Role
from shared.errors import Forbidden
from shared.eventstore import CommandContext
from shared.ids import prefixed_id

ITEM_ROLES = readers_of(Resource.rectification_item)
CASE_READERS = readers_of(Resource.case)
# Who reads a region's items, cases and regulations: the policy's region-wide readers.
REGION_READERS = readers_of(Resource.rectification_item, Scope.own_region)


def get_runtime(request: Request) -> RectificationRuntime:
    runtime: RectificationRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[RectificationRuntime, Depends(get_runtime)]


def context(actor: Actor, campaign_id: str, region_code: str) -> CommandContext:
    return CommandContext(
        actor=actor.as_extension(), campaign_id=campaign_id, region_code=region_code
    )


def require_reader_of_region(actor: Actor, region_code: str) -> None:
    """Offices, discipline liaisons, auditors and administrators read their region and
    below (``shared.access_policy``: one rule for every role, administrators included)."""
    actor.require(*REGION_READERS)
    require_region(actor, region_code)


def require_reader_of_item(actor: Actor, agency_id: str, region_code: str) -> None:
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise Forbidden(
                "执法机关人员只能查看本机关的整改事项",
                "agency staff may read only their own agency's items",
                code="agency_not_allowed",
            )
        return
    require_reader_of_region(actor, region_code)


def visible_item(runtime: RectificationRuntime, actor: Actor, item_id: str) -> ItemState:
    """The item, for an actor who may read it; otherwise the answer an unknown id gets."""
    actor.require(*ITEM_ROLES)
    aggregate = runtime.events.get(ITEM, item_id)
    item: ItemState | None = aggregate.state if aggregate is not None else None
    if item is None or not may_read(
        actor, Resource.rectification_item, Target(item.region_code, item.agency_id)
    ):
        raise not_visible("整改事项", "rectification item", "item_id")
    return item


def visible_case(runtime: RectificationRuntime, actor: Actor, case_id: str) -> CaseState:
    """The case, for an actor who may read it; otherwise the answer an unknown id gets."""
    actor.require(*CASE_READERS)
    aggregate = runtime.events.get(CASE, case_id)
    case: CaseState | None = aggregate.state if aggregate is not None else None
    if case is None or not may_read(actor, Resource.case, Target(case.region_code)):
        raise not_visible("典型案例", "typical case", "case_id")
    return case


def new_id(prefix: str) -> str:
    return prefixed_id(prefix, 16)
