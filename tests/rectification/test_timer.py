"""The deadline watcher on a simulated clock and the real broker: due, overdue,
escalation and overdue referrals, each once, also after the service restarts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.cli import main
from services.rectification.application.app import ITEM
from services.rectification.domain.items.state import item_id_for
from services.rectification.timers import run_due
from shared.actors import Role
from shared.clock import BEIJING, SimulatedClock
from shared.events.directory import CampaignRules
from shared.events.rectification import RectificationEscalated
from shared.settings import Settings
from shared.topics import INTAKE
from tests.rectification.broker import (
    application_of,
    events_about,
    problem_envelope,
    publish,
    publish_campaign,
    start_service,
    wait_for_item,
)
from tests.rectification.factories import CITY, campaign, fresh, problem

START = datetime(2016, 9, 5, 2, 0, tzinfo=UTC)
RULES = CampaignRules(rectification_days_high=10, due_lead_days=3, escalation_grace_days=5)


def beijing(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 0, 1, tzinfo=BEIJING)


def tick(client: TestClient) -> list[str]:
    """One deadline check; the ids of the aggregates that got events."""
    app = application_of(client)
    changed: list[str] = client.portal.call(run_due, app)  # type: ignore[union-attr]
    return changed


def kinds(settings: Settings, subject: str) -> Counter[str]:
    return Counter(type(e).__name__ for e in events_about(settings, subject))


def test_due_overdue_and_escalation_each_once_across_a_restart(
    broker_settings: Settings,
    auth_header: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    campaign_id = fresh("campaign-")
    publish_campaign(
        broker_settings, campaign(campaign_id, RULES, date(2016, 9, 1), date(2017, 1, 31))
    )
    clock = SimulatedClock(START)
    found = problem(campaign_id=campaign_id, found_at=START)
    item_id = item_id_for(found.problem_id)
    client = start_service(broker_settings, clock)
    try:
        publish(broker_settings, INTAKE, problem_envelope(broker_settings, found))
        item = wait_for_item(client, found.problem_id)
        assert item.state.due_on == date(2016, 9, 15)  # the campaign's 10 days, not the default

        clock.set(beijing(date(2016, 9, 11)))
        tick(client)
        assert kinds(broker_settings, item_id)["RectificationDue"] == 0
        clock.set(beijing(date(2016, 9, 12)))
        assert tick(client) == [item_id]
        assert kinds(broker_settings, item_id)["RectificationDue"] == 1
        clock.set(beijing(date(2016, 9, 16)))
        tick(client)
        tick(client)
        counted = kinds(broker_settings, item_id)
        assert (counted["RectificationDue"], counted["RectificationOverdue"]) == (1, 1)
        assert counted["RectificationEscalated"] == 0
        clock.set(beijing(date(2016, 9, 21)))
        tick(client)
    finally:
        client.__exit__(None, None, None)

    counted = kinds(broker_settings, item_id)
    assert [
        counted[k] for k in ("RectificationDue", "RectificationOverdue", "RectificationEscalated")
    ] == [1, 1, 1]
    escalated = [
        e for e in events_about(broker_settings, item_id) if isinstance(e, RectificationEscalated)
    ]
    assert escalated[0].escalated_to_region == CITY

    clock.advance(timedelta(days=60))
    restarted = start_service(broker_settings, clock)
    try:
        state = application_of(restarted).store.require(ITEM, item_id).state
        assert state.overdue and state.escalated
        assert item_id not in tick(restarted)
        office = auth_header(Role.legal_office, "office-360100", CITY)
        escalated_items = restarted.get(
            "/regions/360102/items", params={"escalated": "true", "limit": 200}, headers=office
        ).json()["items"]
        assert item_id in {i["item_id"] for i in escalated_items}
        calm = restarted.get(
            "/regions/360102/items", params={"escalated": "false", "limit": 200}, headers=office
        ).json()["items"]
        assert item_id not in {i["item_id"] for i in calm}
    finally:
        restarted.__exit__(None, None, None)
    counted = kinds(broker_settings, item_id)
    assert [
        counted[k] for k in ("RectificationDue", "RectificationOverdue", "RectificationEscalated")
    ] == [1, 1, 1]

    import shared.settings

    monkeypatch.setattr(shared.settings, "get_settings", lambda: broker_settings)
    assert main(["rectification", "status", "--region", "360102"]) == 0
    listing = capsys.readouterr().out
    assert f"{item_id} " in listing and "escalated" in listing.split(item_id)[1].splitlines()[0]


def refer_on_a_new_item(
    settings: Settings, client: TestClient, liaison: dict[str, str], acknowledge_by: str
) -> tuple[str, str]:
    """A problem's item, and a case on it referred to the procuratorate: (item, case)."""
    found = problem(found_at=START)
    publish(settings, INTAKE, problem_envelope(settings, found))
    item_id = item_id_for(found.problem_id)
    wait_for_item(client, found.problem_id)
    case = client.post(
        "/cases",
        json={
            "kind": "dereliction_of_duty",
            "origin": "tip",
            "title": "有案不查",
            "summary": "s",
            "problem_ids": [found.problem_id],
        },
        headers=liaison,
    ).json()
    referred = client.post(
        f"/cases/{case['case_id']}/referrals",
        json={
            "body": "procuratorate",
            "receiving_body": "南昌市人民检察院",
            "reason": "涉嫌玩忽职守",
            "acknowledge_by": acknowledge_by,
        },
        headers=liaison,
    )
    assert referred.status_code == 200, referred.text
    return item_id, case["case_id"]


@pytest.fixture
def with_liaison(
    broker_settings: Settings, auth_header: Callable[..., dict[str, str]]
) -> Iterator[tuple[TestClient, SimulatedClock, dict[str, str]]]:
    """The service on its own simulated clock, and a city's discipline liaison."""
    clock = SimulatedClock(START)
    client = start_service(broker_settings, clock)
    try:
        yield client, clock, auth_header(Role.discipline_liaison, "discipline-360100", CITY)
    finally:
        client.__exit__(None, None, None)


def test_an_unacknowledged_referral_is_flagged_once(
    broker_settings: Settings, with_liaison: tuple[TestClient, SimulatedClock, dict[str, str]]
) -> None:
    client, clock, liaison = with_liaison
    _, case_id = refer_on_a_new_item(broker_settings, client, liaison, "2016-09-10")
    clock.set(beijing(date(2016, 9, 10)))
    tick(client)
    assert kinds(broker_settings, case_id)["ReferralOverdue"] == 0
    clock.set(beijing(date(2016, 9, 11)))
    tick(client)
    tick(client)
    assert kinds(broker_settings, case_id)["ReferralOverdue"] == 1
    view = client.get(f"/cases/{case_id}", headers=liaison).json()
    assert view["referrals"][0]["overdue"] is True


def test_after_a_long_pause_items_and_cases_are_checked_in_the_order_their_moments_came(
    broker_settings: Settings, with_liaison: tuple[TestClient, SimulatedClock, dict[str, str]]
) -> None:
    client, clock, liaison = with_liaison
    # The referral falls overdue on 11 September, before anything happens to the item.
    item_id, case_id = refer_on_a_new_item(broker_settings, client, liaison, "2016-09-10")
    clock.set(beijing(date(2016, 12, 31)))
    changed = tick(client)
    assert case_id in changed and item_id in changed
    assert changed.index(case_id) < changed.index(item_id)
