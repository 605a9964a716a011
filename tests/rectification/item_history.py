"""What the item decider's tests begin with: the decider, one problem's item and the
events of its history most tests are given."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.rectification.domain.items.commands import OpenItem
from services.rectification.domain.items.decider import ItemDecider
from services.rectification.domain.items.state import item_id_for
from shared.events.directory import CampaignRules
from shared.events.rectification import RectificationCompleted, RectificationOpened
from shared.testing import given
from tests.rectification.factories import problem

decider = ItemDecider()
NOW = datetime(2016, 9, 5, 1, 0, tzinfo=UTC)
PROBLEM = problem("prb-1")
ITEM = item_id_for("prb-1")


def open_command(rules: CampaignRules | None = None, **changes: object) -> OpenItem:
    return OpenItem(
        problem=PROBLEM.model_copy(update=changes) if changes else PROBLEM,
        rules=rules or CampaignRules(),
        rectification_starts_on=date(2016, 9, 1),
        rectification_ends_on=date(2017, 1, 31),
        rules_known=True,
        at=NOW,
    )


def opened() -> RectificationOpened:
    events = given(decider).when(open_command()).decided()
    event = events[0]
    assert isinstance(event, RectificationOpened)
    return event


def completed() -> RectificationCompleted:
    return RectificationCompleted(item_id=ITEM, measures="退还罚款", completed_at=NOW)
