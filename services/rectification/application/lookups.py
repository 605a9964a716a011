"""Looking up an item or a case for an actor: the role first (it does not depend on
the id), then an unknown id and one the actor may not see get the same answer."""

from __future__ import annotations

from collections.abc import Sequence

from services.rectification.application.app import CASE, ITEM, RectificationApp
from services.rectification.domain.access import not_visible
from services.rectification.domain.cases.state import CaseState
from services.rectification.domain.items.state import ItemState, item_id_for
from services.rectification.domain.reading import CASE_READERS, ITEM_ROLES
from shared.access_policy import Resource, Target, may_read
from shared.actors import Actor
from shared.errors import Invalid
from shared.regions import jiangxi


def visible_item(app: RectificationApp, actor: Actor, item_id: str) -> ItemState:
    """The item, for an actor who may read it; otherwise the answer an unknown id gets."""
    actor.require(*ITEM_ROLES)
    item: ItemState | None = app.store.state(ITEM, item_id)
    if item is None or not may_read(
        actor, Resource.rectification_item, Target(item.region_code, item.agency_id)
    ):
        raise not_visible("整改事项", "rectification item", "item_id")
    return item


def visible_case(app: RectificationApp, actor: Actor, case_id: str) -> CaseState:
    """The case, for an actor who may read it; otherwise the answer an unknown id gets."""
    actor.require(*CASE_READERS)
    case: CaseState | None = app.store.state(CASE, case_id)
    if case is None or not may_read(actor, Resource.case, Target(case.region_code)):
        raise not_visible("典型案例", "typical case", "case_id")
    return case


def known_items(
    app: RectificationApp,
    problem_ids: Sequence[str],
    region_code: str,
    agency_id: str | None = None,
) -> list[ItemState]:
    """The items of ``problem_ids``; each must exist, lie in ``region_code`` and, with
    ``agency_id``, be that agency's. A problem that fails any of these gets one answer,
    so the refusal does not tell whether it exists elsewhere."""
    items = []
    regions = jiangxi()
    for index, problem_id in enumerate(problem_ids):
        item: ItemState | None = app.store.state(ITEM, item_id_for(problem_id))
        if (
            item is None
            or item.region_code not in regions
            or not regions.is_within(item.region_code, region_code)
            or (agency_id is not None and item.agency_id != agency_id)
        ):
            raise Invalid(
                f"在您可处理的范围内未找到问题 {problem_id} 的整改事项",
                f"problem_ids.{index}: no rectification item for problem {problem_id} "
                "that you may act on",
                field=f"problem_ids.{index}",
            )
        items.append(item)
    return items
