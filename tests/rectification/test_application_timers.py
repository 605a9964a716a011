"""The deadline timer's pass without a broker, on a simulated clock moved forward:
due, overdue and escalation each once per deadline, re-armed by an extension, never
for a completed item; an unacknowledged referral flagged once; and after a long pause
the aggregates in the order their moments came."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from services.rectification.application import cases, items
from services.rectification.bootstrap import DEFINITION
from services.rectification.domain.items.state import item_id_for
from services.rectification.timers import interval
from shared.clock import BEIJING, SimulatedClock
from shared.settings import Settings
from tests.rectification.factories import CITY, liaison, office, staff
from tests.rectification.harnessed import Harness, found, item, opened_case, referred

# 30 days for a high severity problem found on 5 September: due on 5 October, reminded
# 7 days ahead, escalated 7 days after.


def beijing(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 0, 1, tzinfo=BEIJING)


async def pass_on(h: Harness, clock: SimulatedClock, day: date) -> list[str]:
    clock.set(beijing(day))
    changed = await h.run_timer("deadlines")
    assert isinstance(changed, list)
    return changed


def counted(h: Harness) -> Counter[str]:
    return Counter(h.published_names())


async def test_due_overdue_and_escalation_each_once(h: Harness, clock: SimulatedClock) -> None:
    item_id = await found(h)
    assert await pass_on(h, clock, date(2016, 9, 27)) == []
    assert await pass_on(h, clock, date(2016, 9, 28)) == [item_id]
    assert await pass_on(h, clock, date(2016, 9, 28)) == []
    await pass_on(h, clock, date(2016, 10, 6))
    await pass_on(h, clock, date(2016, 10, 13))
    await pass_on(h, clock, date(2016, 12, 31))
    thresholds = counted(h)
    assert [thresholds[k] for k in ("RectificationDue", "RectificationOverdue")] == [1, 1]
    assert thresholds["RectificationEscalated"] == 1
    escalated = h.published()[-1]
    assert escalated.data["escalated_to_region"] == CITY
    assert escalated.actor == "system:rectification-timer:"
    state = item(h, item_id)
    assert state.overdue and state.escalated


async def test_an_extension_rearms_the_thresholds(h: Harness, clock: SimulatedClock) -> None:
    item_id = await found(h)
    await pass_on(h, clock, date(2016, 9, 28))
    await items.request_extension(h.app, staff(), item_id, date(2016, 11, 5), "需听证")
    await items.approve_extension(h.app, office(), item_id)
    assert await pass_on(h, clock, date(2016, 10, 6)) == []
    assert await pass_on(h, clock, date(2016, 10, 29)) == [item_id]
    assert counted(h)["RectificationDue"] == 2


async def test_a_completed_item_is_not_chased(h: Harness, clock: SimulatedClock) -> None:
    item_id = await found(h)
    await items.complete(h.app, staff(), item_id, "已整改")
    assert await pass_on(h, clock, date(2016, 12, 31)) == []
    await items.return_item(h.app, office(), item_id, "证据不足")
    assert await pass_on(h, clock, date(2016, 12, 31)) == [item_id]


async def refer_by(h: Harness, acknowledge_by: date) -> tuple[str, str]:
    """A case on a new problem referred to the procuratorate: (its item, the case)."""
    case = await opened_case(h)
    await referred(h, case.case_id, acknowledge_by=acknowledge_by)
    return item_id_for(case.problem_ids[0]), case.case_id


async def test_an_unacknowledged_referral_is_flagged_once(
    h: Harness, clock: SimulatedClock
) -> None:
    _, case_id = await refer_by(h, date(2016, 9, 10))
    assert await pass_on(h, clock, date(2016, 9, 10)) == []
    assert await pass_on(h, clock, date(2016, 9, 11)) == [case_id]
    assert await pass_on(h, clock, date(2016, 9, 12)) == []
    assert counted(h)["ReferralOverdue"] == 1
    assert h.published()[-1].data["receiving_body"] == "南昌市人民检察院"


async def test_an_acknowledged_referral_is_not_flagged(h: Harness, clock: SimulatedClock) -> None:
    _, case_id = await refer_by(h, date(2016, 9, 10))
    referral_id = cases.get_case(h.app, liaison(), case_id).referrals[0].referral_id
    await cases.acknowledge(h.app, liaison(), case_id, referral_id)
    assert await pass_on(h, clock, date(2016, 9, 11)) == []


async def test_after_a_long_pause_aggregates_come_in_the_order_of_their_moments(
    h: Harness, clock: SimulatedClock
) -> None:
    item_id, case_id = await refer_by(h, date(2016, 9, 10))
    changed = await pass_on(h, clock, date(2016, 12, 31))
    assert changed == [case_id, item_id]


def test_the_pass_runs_every_tick_of_the_settings(settings: Settings) -> None:
    (timer,) = DEFINITION.timers
    assert timer.interval is interval
    assert interval(settings.model_copy(update={"rectification_tick_seconds": 2.5})) == 2.5
