"""Recorded readings without a broker: the sheet with ids only, names and contacts
unsealed from the directory view once the reading is recorded, ballot comments
unsealed after the count."""

from __future__ import annotations

import pytest

from services.evaluation.application import ballots, counting, meetings, readings
from shared.actors import Role
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.directory import CampaignRules
from tests.evaluation.steps import (
    OTHER_CITY,
    Harness,
    actor,
    ballot,
    new_meeting,
    office,
    open_meeting,
    with_directory,
)


async def test_the_sheet_shows_ids_only_to_its_readers(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture, attendees=3)
    before = len(h.published())
    sheet = readings.representatives(h.app, office(), meeting.meeting_id)
    assert len(sheet) == 4 and [line.position for line in sheet] == [1, 2, 3, 4]
    assert all(line.name == line.contact == "" for line in sheet)
    assert [line.attended for line in sheet] == [True, True, True, False]
    assert len(h.published()) == before  # nothing unsealed, nothing recorded
    with pytest.raises(Forbidden):  # auditors read meetings, not who sat in them
        readings.representatives(h.app, actor(Role.auditor, "360000"), meeting.meeting_id)
    with pytest.raises(NotFound):
        readings.representatives(h.app, office(OTHER_CITY), meeting.meeting_id)


async def test_names_are_unsealed_only_behind_a_recorded_reading(h: Harness) -> None:
    fixture = await with_directory(h)
    by = office()
    await meetings.schedule_meeting(h.app, by, new_meeting(fixture, meeting_id="meet-s1"))
    with pytest.raises(Conflict):  # no sheet before the draw
        await readings.read_representatives(h.app, by, "meet-s1", "通知开会 / to invite them")
    await meetings.freeze_pool(h.app, by, "meet-s1")
    await meetings.draw_representatives(h.app, by, "meet-s1", "福彩 035", "")
    with pytest.raises(Invalid) as no_purpose:
        await readings.read_representatives(h.app, by, "meet-s1", " ")
    assert no_purpose.value.field == "purpose"
    sheet = await readings.read_representatives(h.app, by, "meet-s1", "通知开会 / to invite them")
    assert h.published_names()[-1] == "RepresentativesSheetRead"
    recorded = h.published()[-1].data
    assert (recorded["reader"], recorded["office_id"]) == (by.as_extension(), by.organisation)
    assert recorded["purpose"] == "通知开会 / to invite them"
    assert all("商户" in line.name and line.contact.startswith("1390000") for line in sheet)


async def test_comments_are_unsealed_after_the_count_and_each_reading_recorded(
    h: Harness,
) -> None:
    fixture = await with_directory(h, rules=CampaignRules(min_valid_ballots=1))
    meeting = await open_meeting(h, fixture, attendees=2)
    for token in meeting.tokens:
        await ballots.cast_ballot(h.app, None, token, ballot(meeting.agency_ids))
    with pytest.raises(Conflict) as early:
        await readings.read_comments(h.app, office(), meeting.meeting_id, "整改 / to act on")
    assert early.value.code == "wrong_status"
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    with pytest.raises(Forbidden):
        await readings.read_comments(h.app, actor(Role.auditor), meeting.meeting_id, "审计")
    comments = await readings.read_comments(h.app, office(), meeting.meeting_id, "整改 / to act on")
    assert h.published_names()[-1] == "BallotCommentsRead"
    agency = meeting.agency_ids[0]
    assert comments.per_agency[agency] == [f"意见 {agency}"] * 2  # stripped at cast
    assert comments.general == ["总体意见", "总体意见"]
