"""Meeting handlers without a broker: scheduling against the directory view, who may
act and read, the pool, the draw, replacements, attendance, look-backs, and the
lists read through their indexes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.evaluation.application import ballots, counting, meetings
from shared.actors import Role
from shared.clock import ControlledClock
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.directory import CampaignRules
from shared.events.evaluation import Rating
from tests.evaluation.steps import (
    CITY,
    COUNTY,
    OTHER_CITY,
    START,
    Harness,
    actor,
    ballot,
    new_meeting,
    office,
    open_meeting,
    with_directory,
)


async def test_an_office_schedules_a_meeting_of_its_region_with_the_directory_s_agencies(
    harnessed: tuple[Harness, ControlledClock],
) -> None:
    h, clock = harnessed
    fixture = await with_directory(h, rules=CampaignRules(min_representatives=3))
    clock.advance(timedelta(minutes=5))
    state = await meetings.schedule_meeting(h.app, office(), new_meeting(fixture))
    assert h.published_names() == ["EvaluationMeetingScheduled"]
    [envelope] = h.published()
    scheduled = state.scheduled
    assert scheduled is not None and envelope.subject == scheduled.meeting_id
    assert scheduled.meeting_id.startswith("meet-")
    assert envelope.data["min_representatives"] == 3  # the campaign's rule, from the view
    assert envelope.data["office_id"] == "office-360100"
    assert scheduled.scheduled_at == START + timedelta(minutes=5)  # the service's clock
    assert (envelope.regioncode, envelope.campaignid) == (CITY, fixture.campaign_id)
    assert envelope.actor == office().as_extension()
    agencies = {a.agency_id: a.region_code for a in scheduled.agencies}
    assert agencies == fixture.agencies


async def test_scheduling_refuses_unknown_agencies_and_agencies_of_another_region(
    h: Harness,
) -> None:
    fixture = await with_directory(h)
    unknown = replace(new_meeting(fixture), agency_ids=("ag-nowhere",))
    with pytest.raises(Invalid) as refused:
        await meetings.schedule_meeting(h.app, office(), unknown)
    assert refused.value.field == "agency_ids"
    assert "ag-nowhere" in refused.value.zh and "unknown agency" in refused.value.en
    # The county's agencies are not within another county's meeting (the decider says).
    outside = new_meeting(fixture, region_code="360103")
    with pytest.raises(Invalid) as refused:
        await meetings.schedule_meeting(h.app, office(), outside)
    assert refused.value.field == "agency_ids"
    assert "不在评议会所在区域" in refused.value.zh and "not within" in refused.value.en
    assert h.published() == []


async def test_only_an_office_of_the_region_or_above_schedules(h: Harness) -> None:
    fixture = await with_directory(h)
    with pytest.raises(Forbidden) as refused:
        await meetings.schedule_meeting(h.app, office(OTHER_CITY), new_meeting(fixture))
    assert refused.value.code == "region_not_allowed" and refused.value.field == "region_code"
    with pytest.raises(Forbidden):
        await meetings.schedule_meeting(h.app, actor(Role.auditor), new_meeting(fixture))
    with pytest.raises(Invalid) as unknown:
        await meetings.schedule_meeting(h.app, office(), new_meeting(fixture, region_code="369999"))
    assert unknown.value.field == "region_code"
    assert h.published() == []


async def test_a_meeting_is_read_within_the_region_and_hidden_elsewhere(h: Harness) -> None:
    fixture = await with_directory(h)
    await meetings.schedule_meeting(h.app, office(), new_meeting(fixture, meeting_id="meet-r1"))
    assert meetings.get_meeting(h.app, actor(Role.auditor, "360000"), "meet-r1").scheduled
    assert meetings.get_meeting(h.app, office(CITY), "meet-r1").scheduled
    with pytest.raises(NotFound) as hidden:
        meetings.get_meeting(h.app, office(OTHER_CITY), "meet-r1")
    with pytest.raises(NotFound) as unknown:
        meetings.get_meeting(h.app, office(OTHER_CITY), "meet-none")
    assert hidden.value.field == unknown.value.field == "meeting_id"
    # The role is asked before the look-up: an unknown id gets the same 403.
    for meeting_id in ("meet-r1", "meet-none"):
        with pytest.raises(Forbidden):
            meetings.get_meeting(h.app, actor(Role.agency_staff, COUNTY), meeting_id)


async def test_lists_read_the_region_index_and_never_scan_every_meeting(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = await with_directory(h)
    for meeting_id in ("meet-l2", "meet-l1"):
        await meetings.schedule_meeting(
            h.app, office(), new_meeting(fixture, meeting_id=meeting_id)
        )
    await meetings.schedule_meeting(
        h.app, office(COUNTY), new_meeting(fixture, region_code=COUNTY, meeting_id="meet-l3")
    )

    def no_scan(kind: str) -> None:
        raise AssertionError(f"a request scanned every {kind}")

    monkeypatch.setattr(h.app.store, "all", no_scan)
    monkeypatch.setattr(h.app.store.state_file, "scan", no_scan)

    def listed(role: Role, region: str) -> list[str]:
        states = meetings.list_meetings(h.app, actor(role, region))
        return [s.scheduled.meeting_id for s in states if s.scheduled]

    assert listed(Role.auditor, "360000") == ["meet-l1", "meet-l2", "meet-l3"]
    assert listed(Role.legal_office, CITY) == ["meet-l1", "meet-l2", "meet-l3"]
    assert listed(Role.legal_office, COUNTY) == ["meet-l3"]
    assert listed(Role.admin, OTHER_CITY) == []
    assert listed(Role.agency_staff, CITY) == []  # a role that reads no meeting
    assert meetings.list_lookbacks(h.app, actor(Role.auditor, "360000")) == []


async def test_the_pool_draw_replacement_and_attendance_follow_the_office(h: Harness) -> None:
    fixture = await with_directory(h)
    by = office()
    await meetings.schedule_meeting(h.app, by, new_meeting(fixture, meeting_id="meet-p1"))
    with pytest.raises(NotFound):  # another city's office: as if there were no meeting
        await meetings.freeze_pool(h.app, office(OTHER_CITY), "meet-p1")
    frozen = await meetings.freeze_pool(h.app, by, "meet-p1")
    assert frozen.pool is not None
    assert {e.entity_id for e in frozen.pool.entities} == set(fixture.entity_ids)
    drawn = await meetings.draw_representatives(h.app, by, "meet-p1", "福彩 035", "lottery")
    assert drawn.drawn is not None and len(drawn.representatives) == 4
    declined = drawn.representatives[0]
    replaced = await meetings.replace_representative(h.app, by, "meet-p1", declined, "病假")
    assert declined not in replaced.representatives
    assert replaced.representatives[0] == drawn.drawn.reserves[0]
    with pytest.raises(Invalid) as stranger:
        await meetings.record_attendance(h.app, by, "meet-p1", ("ent-stranger",))
    assert stranger.value.field == "attendee_entity_ids"
    attended = await meetings.record_attendance(h.app, by, "meet-p1", replaced.representatives[:3])
    assert attended.attendance is not None
    assert h.published_names() == [
        "EvaluationMeetingScheduled",
        "PoolFrozen",
        "RepresentativesDrawn",
        "RepresentativeReplaced",
        "AttendanceRecorded",
    ]
    drawn_event = h.published()[2]
    assert drawn_event.data["randomness_source"] == "lottery"
    with pytest.raises(Conflict) as again:
        await meetings.freeze_pool(h.app, by, "meet-p1")
    assert again.value.code == "wrong_status"


async def test_a_look_back_is_listed_for_its_region_and_completed_once(h: Harness) -> None:
    fixture = await with_directory(h, rules=CampaignRules(min_valid_ballots=1))
    meeting = await open_meeting(h, fixture, attendees=2)
    for token in meeting.tokens:
        content = ballot(meeting.agency_ids, Rating.dissatisfied, problem="执法粗暴")
        await ballots.cast_ballot(h.app, None, token, content)
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    listed = meetings.list_lookbacks(h.app, actor(Role.auditor, CITY))
    assert {lb.opened.agency_id for lb in listed} == set(meeting.agency_ids)
    assert meetings.list_lookbacks(h.app, actor(Role.auditor, OTHER_CITY)) == []
    agency = meeting.agency_ids[0]
    done = await meetings.complete_lookback(
        h.app, office(), meeting.meeting_id, agency, "已整改 / put right"
    )
    assert done.completed is not None and done.completed.findings == "已整改 / put right"
    assert h.published_names()[-1] == "LookBackCompleted"
    still_open = meetings.list_lookbacks(h.app, office(), open_only=True)
    assert [lb.opened.agency_id for lb in still_open] == [meeting.agency_ids[1]]
    with pytest.raises(Conflict) as twice:
        await meetings.complete_lookback(h.app, office(), meeting.meeting_id, agency, "再次")
    assert twice.value.code == "already_completed"
