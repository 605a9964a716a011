"""Reporting's read paths against the access policy, on the real broker: what a reported
agency, a county auditor and an office get from drill-downs and timelines (issue 14's
attacks), and that no path returns an event's data."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient

from services.reporting.reports.labels import METRIC_LABELS_ZH
from shared.access_policy import EVENT_FIELDS, EVENT_RESOURCE, Resource
from shared.actors import Role
from tests.reporting.sample_events import (
    EventLog,
)

pytestmark = pytest.mark.kafka

Header = Callable[..., dict[str, str]]
BALLOT_TYPES = {name for name, resource in EVENT_RESOURCE.items() if resource is Resource.ballot}

# Words that appear only inside events' data: a response carrying any of them leaks it.
SECRETS = ("执法人员随意罚款", "hotline", "token_hash", "ratings", "attendee", "description")
NEVER_TO_AGENCY = (
    "intake.Tip",
    "intake.Contact",
    "evaluation.Ballot",
    "evaluation.RepresentativesDrawn",
    "evaluation.RepresentativeReplaced",
    "evaluation.AttendanceRecorded",
)


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    stamp = time.time_ns()
    return {"a": f"ag-a{stamp}", "b": f"ag-b{stamp}", "key": str(stamp)}


@pytest.fixture
def api(two_agencies: tuple[TestClient, EventLog]) -> tuple[TestClient, EventLog]:
    return two_agencies


def _json(client: TestClient, url: str, header: dict[str, str]) -> Any:
    answer = client.get(url, headers=header)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _without_id(body: Any, identifier: str) -> str:
    return str(body).replace(identifier, "<id>")


def _assert_no_data(body: Any) -> None:
    text = str(body)
    assert "'data'" not in text
    for secret in SECRETS:
        assert secret not in text


def test_agency_drill_down_shows_no_tip_ballot_or_representative(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, log = api
    staff = auth_header(Role.agency_staff, keys["a"], "360102")
    tips = _json(client, f"/figures/events?metric=tips.total&agency_id={keys['a']}", staff)
    assert tips["subjects"] == [] and tips["events"] == []
    votes = _json(
        client, f"/figures/events?metric=evaluation.satisfaction_rate&agency_id={keys['a']}", staff
    )
    types = {e["type"] for e in votes["events"]}
    assert "evaluation.ResultsPublished" in types  # published results: the agency's own
    assert not any(t.startswith(NEVER_TO_AGENCY) for t in types)
    _assert_no_data(votes)
    problems = _json(client, f"/figures/events?metric=problems.total&agency_id={keys['a']}", staff)
    assert {e["type"] for e in problems["events"]} == {"intake.ProblemFound"}
    for event in problems["events"]:
        assert set(event) <= EVENT_FIELDS[Role.agency_staff]
        assert "time" not in event and "actor" not in event  # day precision only
    # The same calls by an office over the region see the tips (as summaries only).
    office = auth_header(Role.legal_office, "office-360100", "360100")
    seen = _json(client, f"/figures/events?metric=tips.total&agency_id={keys['a']}", office)
    assert len(seen["subjects"]) == 6
    assert "intake.TipReceived" in {e["type"] for e in seen["events"]}
    _assert_no_data(seen)
    assert len([e for e in log.envelopes if e.type.endswith("BallotCast.v1")]) > 0


def test_ballot_events_reach_nobody_through_drill_down_or_timeline(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, _ = api
    meeting = f"meet-a{keys['key']}"
    province_auditor = auth_header(Role.auditor, "audit", "360000")
    admin = auth_header(Role.admin, "it", "360000")
    assert {"evaluation.BallotCast", "evaluation.BallotTokenSpent"} <= BALLOT_TYPES
    for header in (province_auditor, admin):
        behind = _json(client, "/figures/events?metric=evaluation.ballots_cast", header)
        timeline = _json(client, f"/timelines/{meeting}", header)
        for body in (behind, timeline):
            types = {e["type"] for e in body["events"]}
            assert "evaluation.EvaluationMeetingScheduled" in types
            assert not types & BALLOT_TYPES
            _assert_no_data(body)
        # The auditor's rows carry the exact time and the actor.
        assert {"time", "actor"} <= set(timeline["events"][0])
    staff = auth_header(Role.agency_staff, keys["a"], "360102")
    assert client.get(f"/timelines/{meeting}", headers=staff).status_code == 404


def test_timelines_of_tips_are_hidden_from_the_reported_agency(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, _ = api
    unverified = f"tip-a{keys['key']}-rejected"
    staff = auth_header(Role.agency_staff, keys["a"], "360102")
    hidden = client.get(f"/timelines/{unverified}", headers=staff)
    unknown = client.get("/timelines/tip-doesnotexist", headers=staff)
    assert hidden.status_code == unknown.status_code == 404
    assert _without_id(hidden.json(), unverified) == _without_id(unknown.json(), "tip-doesnotexist")
    # Its own item: granted, every event, as summaries.
    item = f"rect-prb-a{keys['key']}"
    own = _json(client, f"/timelines/{item}", staff)
    assert own["events"] and all(e["agency_id"] == keys["a"] for e in own["events"])
    _assert_no_data(own)
    other = client.get(f"/timelines/rect-prb-b{keys['key']}", headers=staff)
    assert other.status_code == 404
    intake = auth_header(Role.intake_officer, "office-360102", "360102")
    tip = _json(client, f"/timelines/{unverified}", intake)
    assert tip["events"][0]["type"] == "intake.TipReceived"
    _assert_no_data(tip)


def test_a_county_auditor_sees_its_region_only(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, _ = api
    county = auth_header(Role.auditor, "audit-360102", "360102")
    assert client.get("/dashboard/regions/360102", headers=county).status_code == 200
    assert client.get("/dashboard/regions/360702", headers=county).status_code == 403
    assert client.get("/dashboard/regions/360000", headers=county).status_code == 403
    assert client.get(f"/dashboard/agencies/{keys['a']}", headers=county).status_code == 200
    assert client.get(f"/dashboard/agencies/{keys['b']}", headers=county).status_code == 404
    assert client.get(f"/timelines/rect-prb-b{keys['key']}", headers=county).status_code == 404
    assert client.get(f"/timelines/rect-prb-a{keys['key']}", headers=county).status_code == 200
    # Province-wide paths: replays, the projector, a drill-down with no region.
    assert client.get("/projector", headers=county).status_code == 403
    assert client.get("/figures/events?metric=tips.total", headers=county).status_code == 403
    province = auth_header(Role.auditor, "audit", "360000")
    assert client.get("/projector", headers=province).status_code == 200
    assert client.get(f"/dashboard/agencies/{keys['b']}", headers=province).status_code == 200


def test_agency_staff_dashboard_hides_tip_counts(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, _ = api
    staff = auth_header(Role.agency_staff, keys["a"], "360102")
    figures = _json(client, f"/dashboard/agencies/{keys['a']}", staff)["figures"]
    assert figures["problems.total"] >= 1
    assert not any(k.startswith("tips.") for k in figures)
    office = auth_header(Role.legal_office, "office-360100", "360100")
    assert _json(client, f"/dashboard/agencies/{keys['a']}", office)["figures"]["tips.total"] == 6


def _report_text(client: TestClient, url: str, header: dict[str, str]) -> str:
    answer = client.get(url, headers=header)
    assert answer.status_code == 200, answer.text
    document = docx.Document(io.BytesIO(answer.content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_agency_staff_report_leaves_out_tip_counts(
    api: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    client, _ = api
    url = f"/reports/summary?agency_id={keys['a']}&format=docx"
    own = _report_text(client, url, auth_header(Role.agency_staff, keys["a"], "360102"))
    office = _report_text(client, url, auth_header(Role.legal_office, "office-360100", "360100"))
    tips_line = METRIC_LABELS_ZH["tips.total"]
    assert tips_line in office and METRIC_LABELS_ZH["problems.total"] in office
    assert tips_line not in own and METRIC_LABELS_ZH["problems.total"] in own
