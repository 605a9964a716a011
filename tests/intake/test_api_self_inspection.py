"""Agencies' self-inspection filings: plan in phase 1, self-analysis and report in
phase 2, the report's problems becoming ProblemFound with source self_inspection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from services.intake.application import IntakeApp
from shared.actors import Role
from shared.clock import SimulatedClock

from .conftest import Headers
from .helpers import World


@pytest.fixture(scope="module")
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2016, 7, 1, 2, 0, tzinfo=UTC))  # mobilisation phase


PLAN = {
    "targeted_categories": ["procedural", "civility"],
    "methods": "召开监管对象代表座谈会，开通举报电话",
    "goals": "乱罚款问题全部整改",
}
REPORT = {
    "summary": "本局自查发现问题两项",
    "problems": [
        {
            "category": "procedural",
            "kind": "arbitrary_inspection",
            "severity": "low",
            "summary": "重复检查",
        },
        {
            "category": "civility",
            "kind": "buck_passing",
            "severity": "medium",
            "summary": "推诿扯皮",
        },
    ],
}


def test_filings_follow_the_phases(
    intake: TestClient, world: World, clock: SimulatedClock, as_role: Headers
) -> None:
    staff = as_role(Role.agency_staff, "360102", world.agency_id)
    campaign = {"campaign_id": world.campaign_id}
    plan = intake.post("/self-inspection/plans", json={**PLAN, **campaign}, headers=staff)
    assert plan.status_code == 201, plan.text
    assert plan.json()["phase"] == "mobilisation"
    twice = intake.post("/self-inspection/plans", json={**PLAN, **campaign}, headers=staff)
    assert twice.status_code == 409
    early = intake.post(
        "/self-inspection/analyses",
        json={"unit": "执法一科", "findings": "门难进", **campaign},
        headers=staff,
    )
    assert early.status_code == 409 and early.json()["detail"]["code"] == "wrong_phase"

    clock.set(datetime(2016, 7, 20, 2, 0, tzinfo=UTC))
    staff = as_role(Role.agency_staff, "360102", world.agency_id)
    analysis = intake.post(
        "/self-inspection/analyses",
        json={"unit": "执法一科", "categories": ["civility"], "findings": "门难进", **campaign},
        headers=staff,
    )
    assert analysis.status_code == 201, analysis.text
    report = intake.post("/self-inspection/reports", json={**REPORT, **campaign}, headers=staff)
    assert report.status_code == 201, report.text
    problem_ids = report.json()["problem_ids"]
    assert len(problem_ids) == 2
    parts: IntakeApp = intake.app.state.application  # type: ignore[attr-defined]
    for problem_id in problem_ids:
        found = parts.store.state("problem", problem_id).found
        assert found.source == "self_inspection" and found.agency_id == world.agency_id
        assert found.phase == "finding" and found.source_tip_ids == ()
    again = intake.post("/self-inspection/reports", json={**REPORT, **campaign}, headers=staff)
    assert again.status_code == 409
    filings = intake.get(
        f"/self-inspection/{world.agency_id}?campaign_id={world.campaign_id}", headers=staff
    )
    assert filings.status_code == 200
    assert filings.json()["plan_id"] and len(filings.json()["analysis_ids"]) == 1
    assert filings.json()["problem_ids"] == problem_ids
    legal = intake.get(
        f"/self-inspection/{world.agency_id}?campaign_id={world.campaign_id}",
        headers=as_role(Role.legal_office, "360100"),
    )
    assert legal.status_code == 200


def test_only_staff_of_a_registered_agency_file(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    body = {**PLAN, "campaign_id": world.campaign_id}
    officer = as_role(Role.intake_officer, "360102")
    stranger = as_role(Role.agency_staff, "360102", "ag-unregistered")
    wrong_region = as_role(Role.agency_staff, "360103", world.agency_id)
    for header in (officer, stranger, wrong_region):
        assert intake.post("/self-inspection/plans", json=body, headers=header).status_code == 403
    other = as_role(Role.agency_staff, "360100", world.city_agency_id)
    assert intake.get(f"/self-inspection/{world.agency_id}", headers=other).status_code == 403


def test_bad_filings_are_422(intake: TestClient, world: World, as_role: Headers) -> None:
    staff = as_role(Role.agency_staff, "360100", world.city_agency_id)
    wrong_kind = {
        "summary": "s",
        "campaign_id": world.campaign_id,
        "problems": [{"category": "fair", "kind": "extortion", "severity": "low", "summary": "x"}],
    }
    response = intake.post("/self-inspection/reports", json=wrong_kind, headers=staff)
    assert response.status_code == 422 and response.json()["detail"]["field"] == "problems.0.kind"
    empty = intake.post(
        "/self-inspection/analyses",
        json={"unit": "", "findings": "x", "campaign_id": world.campaign_id},
        headers=staff,
    )
    assert empty.status_code == 422 and empty.json()["detail"]["field"] == "unit"
