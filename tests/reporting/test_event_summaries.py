"""Drill-down and timeline rows cut by the access policy (no broker: rows in, rows out)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.reporting.api.views import summaries
from services.reporting.readmodels.drilldown import EventRow
from shared.actors import Actor, Role
from shared.events.base import TYPE_PREFIX

AT = datetime(2017, 2, 10, 9, 31, 7, tzinfo=UTC)


def _row(name: str, *, region: str = "360102", agency: str = "ag-a") -> EventRow:
    return EventRow(
        event_id=f"ev-{name}",
        subject="subj",
        type=f"{TYPE_PREFIX}.{name}.v1",
        sequence=1,
        time=AT,
        region_code=region,
        agency_id=agency,
        status="published",
        category="fair",
        actor="legal_office:office-360102:360102",
    )


def _actor(role: Role, region: str = "360102", organisation: str = "ag-a") -> Actor:
    return Actor(subject="s", role=role, organisation=organisation, region_code=region)


EVENTS = [
    _row("intake.TipReceived"),
    _row("intake.ProblemFound"),
    _row("evaluation.BallotCast"),
    _row("evaluation.AttendanceRecorded"),
    _row("evaluation.ResultsPublished"),
    _row("evaluation.SomethingUnmapped"),
]


def test_agency_staff_get_their_problems_and_published_results_by_day() -> None:
    shown = summaries(_actor(Role.agency_staff), EVENTS)
    assert [s.type for s in shown] == ["intake.ProblemFound", "evaluation.ResultsPublished"]
    first = shown[0].model_dump(exclude_none=True)
    assert first["day"] == date(2017, 2, 10)
    assert "time" not in first and "actor" not in first


def test_another_agency_gets_only_what_is_published() -> None:
    shown = summaries(_actor(Role.agency_staff, organisation="ag-b"), EVENTS)
    assert [s.type for s in shown] == ["evaluation.ResultsPublished"]


def test_an_office_reads_tips_and_attendance_but_no_ballot() -> None:
    shown = [s.type for s in summaries(_actor(Role.legal_office), EVENTS)]
    assert "intake.TipReceived" in shown and "evaluation.AttendanceRecorded" in shown
    assert "evaluation.BallotCast" not in shown and "evaluation.SomethingUnmapped" not in shown
    outside = summaries(_actor(Role.legal_office, region="360202"), EVENTS)
    assert [s.type for s in outside] == ["evaluation.ResultsPublished"]


def test_auditors_get_exact_time_and_actor_of_their_region_only() -> None:
    shown = summaries(_actor(Role.auditor), EVENTS)
    assert "evaluation.BallotCast" not in [s.type for s in shown]
    assert shown[0].time == AT and shown[0].actor
    county_elsewhere = summaries(_actor(Role.auditor, region="360202"), EVENTS)
    assert [s.type for s in county_elsewhere] == ["evaluation.ResultsPublished"]
