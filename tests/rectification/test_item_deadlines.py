"""An item's deadline thresholds, with no broker: due, overdue and escalated each once
per deadline, none for a completed item, re-armed by an extension."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.rectification.domain.items.commands import CheckDeadline
from services.rectification.domain.items.deadlines import next_level_up
from shared.clock import BEIJING
from shared.events.base import DomainEvent
from shared.events.rectification import (
    RectificationDue,
    RectificationEscalated,
    RectificationExtended,
    RectificationOverdue,
)
from shared.testing import given
from tests.rectification.factories import AGENCY, REGION
from tests.rectification.item_history import ITEM, NOW, completed, decider, opened


def at_beijing(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


# -- deadlines ------------------------------------------------------------------------


def reminders(history: tuple[DomainEvent, ...], at: datetime) -> list[DomainEvent]:
    return given(decider, *history).when(CheckDeadline(at=at)).decided()


def test_nothing_before_the_lead_time() -> None:
    assert reminders((opened(),), at_beijing(date(2016, 9, 23), 23)) == []


def test_due_is_emitted_the_lead_time_before_the_deadline_and_only_once() -> None:
    moment = at_beijing(date(2016, 9, 24))
    events = reminders((opened(),), moment)
    assert events == [
        RectificationDue(
            item_id=ITEM, agency_id=AGENCY, region_code=REGION, due_on=date(2016, 10, 1), at=moment
        )
    ]
    assert reminders((opened(), *events), moment + timedelta(hours=1)) == []


def test_overdue_when_the_deadline_day_is_over_then_escalated_to_the_city() -> None:
    due = RectificationDue(
        item_id=ITEM, agency_id=AGENCY, region_code=REGION, due_on=date(2016, 10, 1), at=NOW
    )
    assert reminders((opened(), due), at_beijing(date(2016, 10, 1), 23)) == []
    overdue_at = at_beijing(date(2016, 10, 2))
    overdue = reminders((opened(), due), overdue_at)
    assert [type(e) for e in overdue] == [RectificationOverdue]
    assert reminders((opened(), due, *overdue), at_beijing(date(2016, 10, 8), 23)) == []
    escalated = reminders((opened(), due, *overdue), at_beijing(date(2016, 10, 9)))
    assert len(escalated) == 1 and isinstance(escalated[0], RectificationEscalated)
    assert escalated[0].escalated_to_region == "360100"
    state = given(decider, opened(), due, *overdue, *escalated).state()
    assert state is not None and state.overdue and state.escalated
    assert reminders((opened(), due, *overdue, *escalated), at_beijing(date(2017, 6, 1))) == []


def test_a_jump_past_every_threshold_emits_each_once_in_order() -> None:
    events = reminders((opened(),), at_beijing(date(2016, 12, 1)))
    assert [type(e) for e in events] == [
        RectificationDue,
        RectificationOverdue,
        RectificationEscalated,
    ]


def test_a_completed_item_awaiting_verification_is_not_chased() -> None:
    assert reminders((opened(), completed()), at_beijing(date(2016, 12, 1))) == []


def test_an_extension_re_arms_the_reminders_for_the_new_deadline() -> None:
    old = reminders((opened(),), at_beijing(date(2016, 12, 1)))
    extended = RectificationExtended(
        item_id=ITEM,
        previous_due_on=date(2016, 10, 1),
        due_on=date(2017, 2, 28),
        reason="r",
        office="o",
        extended_at=NOW,
    )
    history = (opened(), *old, extended)
    state = given(decider, *history).state()
    assert state is not None and not state.overdue
    assert reminders(history, at_beijing(date(2017, 1, 1))) == []
    again = reminders(history, at_beijing(date(2017, 3, 1)))
    assert [type(e) for e in again] == [RectificationDue, RectificationOverdue]
    assert all(
        isinstance(e, RectificationDue | RectificationOverdue) and e.due_on == date(2017, 2, 28)
        for e in again
    )


def test_escalation_goes_one_level_up_and_stops_at_the_province() -> None:
    assert next_level_up("360102") == "360100"
    assert next_level_up("360100") == "360000"
    assert next_level_up("360000") == "360000"
