"""Fast checks of the pieces the end-to-end test relies on (no broker, no processes):
the controlled clock behind ``/admin/clock`` and the ledger's roll-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from shared.actors import Role
from shared.clock import ControlledClock, SystemClock, clock_from_settings
from shared.http import create_api
from shared.settings import Settings
from simulation.ledger import Ledger, differences, expected_figures
from simulation.plan import Calendar

START = datetime(2016, 6, 6, 1, 0, tzinfo=UTC)
Header = Callable[..., dict[str, str]]


def _client(settings: Settings, clock: ControlledClock | SystemClock) -> TestClient:
    return TestClient(create_api("intake", settings, clock))


def test_an_admin_sets_the_controlled_clock_forwards_only(
    settings: Settings, auth_header: Header
) -> None:
    clock = ControlledClock(START)
    client = _client(settings, clock)
    admin = auth_header(Role.admin, "admin", "360000", clock)
    later = START + timedelta(days=30)

    moved = client.post("/admin/clock", json={"now": later.isoformat()}, headers=admin)
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.json()["now"]) == later
    assert clock.now() == later

    admin = auth_header(Role.admin, "admin", "360000", clock)  # the first one has expired
    back = client.post("/admin/clock", json={"now": START.isoformat()}, headers=admin)
    assert back.status_code == 409
    assert back.json()["detail"]["code"] == "clock_backwards"
    assert clock.now() == later


def test_only_an_admin_may_set_the_clock(settings: Settings, auth_header: Header) -> None:
    clock = ControlledClock(START)
    officer = auth_header(Role.intake_officer, "in-360000", "360000", clock)
    response = _client(settings, clock).post(
        "/admin/clock", json={"now": (START + timedelta(days=1)).isoformat()}, headers=officer
    )
    assert response.status_code == 403
    assert clock.now() == START


def test_the_system_clock_cannot_be_set(settings: Settings, auth_header: Header) -> None:
    admin = auth_header(Role.admin, "admin", "360000")
    client = _client(settings, SystemClock())
    response = client.post("/admin/clock", json={"now": "2030-01-01T00:00:00+08:00"}, headers=admin)
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "clock_not_controlled"
    assert client.get("/admin/clock", headers=admin).json()["mode"] == "system"


def test_a_naive_time_is_refused_naming_the_field(settings: Settings, auth_header: Header) -> None:
    clock = ControlledClock(START)
    admin = auth_header(Role.admin, "admin", "360000", clock)
    response = _client(settings, clock).post(
        "/admin/clock", json={"now": "2016-07-01T09:00:00"}, headers=admin
    )
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "now"


def test_settings_choose_the_clock(tmp_path: object) -> None:
    controlled = clock_from_settings(Settings(clock_mode="controlled", clock_start=START))
    assert isinstance(controlled, ControlledClock) and controlled.now() == START
    assert isinstance(clock_from_settings(Settings()), SystemClock)


def test_a_new_run_starts_after_the_services_clock() -> None:
    assert Calendar.after(START - timedelta(days=1)).years == 0
    assert Calendar.after(datetime(2017, 3, 31, 9, tzinfo=UTC)).years == 1


def test_the_ledger_rolls_counties_up_and_derives_rates() -> None:
    ledger = Ledger()
    ledger.count("360102", "ag-a", "tips.total", "items.total", "items.verified")
    ledger.count("360121", "ag-b", "tips.total", "items.total")
    ledger.count("360100", "ag-c", "evaluation.ballots", by=4)
    ledger.count("360100", "ag-c", "evaluation.satisfied", by=3)
    expected = expected_figures([ledger.to_rows()])
    nanchang = expected["regions"]["360100"]
    assert nanchang["tips.total"] == 2
    assert nanchang["items.completion_rate"] == 0.5
    assert nanchang["evaluation.satisfaction_rate"] == 0.75
    assert expected["regions"]["360000"]["tips.total"] == 2
    assert expected["agencies"]["ag-a"] == {
        "items.completion_rate": 1.0,
        "items.total": 1,
        "items.verified": 1,
        "tips.total": 1,
    }
    twice = expected_figures([ledger.to_rows(), ledger.to_rows()])
    assert twice["regions"]["360000"]["tips.total"] == 4


@pytest.mark.parametrize(
    ("actual", "wanted"),
    [
        ({"tips.total": 2.0}, []),
        ({"tips.total": 3.0}, ["tips.total: expected 2, reporting shows 3.0"]),
        (
            {"tips.total": 2.0, "tips.escalated": 1.0},
            ["tips.escalated: expected 0, reporting shows 1.0"],
        ),
        ({"tips.total": 2.0, "items.days_to_verification_sum": 9.0}, []),
    ],
)
def test_differences_compare_every_accounted_figure(
    actual: dict[str, float], wanted: list[str]
) -> None:
    assert differences({"tips.total": 2}, actual) == wanted
