"""Counting handlers without a broker: the close (box opened, batch published, box key
shredded), the tally recomputed from the state's events, publication and the public
results read through the published index."""

from __future__ import annotations

from datetime import date

import pytest

from services.evaluation.application import ballots, counting, meetings, public
from services.evaluation.domain.ballots import box_subject
from shared.actors import Role
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.directory import CampaignRules
from shared.events.evaluation import Rating
from shared.privacy import KeyStore
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

RULES = CampaignRules(min_valid_ballots=1)


async def test_the_close_publishes_the_tally_and_shreds_the_box_key(h: Harness) -> None:
    fixture = await with_directory(h, rules=RULES)
    meeting = await open_meeting(h, fixture, attendees=3)
    for token, rating in zip(meeting.tokens, (Rating.satisfied, Rating.dissatisfied), strict=False):
        await ballots.cast_ballot(h.app, None, token, ballot(meeting.agency_ids, rating))
    with pytest.raises(NotFound):
        await counting.close_meeting(h.app, office(OTHER_CITY), meeting.meeting_id)
    before = len(h.published())
    state = await counting.close_meeting(h.app, office(), meeting.meeting_id)
    closing = h.published_names()[before:]
    assert closing[:3] == ["MeetingClosed", "BallotBoxOpened", "EvaluationTallied"]
    assert closing.count("ResultsFedBack") == len(meeting.agency_ids)
    assert "LookBackOpened" in closing  # a half dissatisfied: over the campaign's threshold
    assert state.tallied is not None
    assert (state.tallied.ballots_issued, state.tallied.ballots_cast) == (3, 2)
    assert state.tallied.ballots_uncast == 1 and state.tallied.valid_ballots == 2
    opened = h.published()[before + 1].data
    assert opened["sealed_records"] == 2 and len(opened["ballots"]) == 2
    keys = KeyStore(h.app.settings.resolved_keystore_url)
    assert keys.key_for(box_subject(meeting.meeting_id), create=False) is None
    with pytest.raises(Conflict) as twice:
        await counting.close_meeting(h.app, office(), meeting.meeting_id)
    assert twice.value.code == "wrong_status"


async def test_the_tally_is_recomputed_from_the_events_for_a_reader(h: Harness) -> None:
    fixture = await with_directory(h, rules=RULES)
    meeting = await open_meeting(h, fixture, attendees=3)
    await ballots.cast_ballot(h.app, None, meeting.tokens[0], ballot(meeting.agency_ids))
    await ballots.spoil_ballot(h.app, office(), meeting.meeting_id, meeting.tokens[1], "")
    with pytest.raises(Conflict) as early:
        counting.verify_tally(h.app, office(), meeting.meeting_id)
    assert early.value.code == "wrong_status" and early.value.field == "status"
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    state, check = counting.verify_tally(h.app, actor(Role.auditor, "360000"), meeting.meeting_id)
    assert check.matches and check.first_difference is None
    assert state.tallied is not None
    assert check.recomputed.ballots_spoiled == state.tallied.ballots_spoiled == 1
    assert check.recomputed.results == state.tallied.results
    with pytest.raises(Forbidden):
        counting.verify_tally(h.app, actor(Role.agency_staff), meeting.meeting_id)
    with pytest.raises(NotFound):
        counting.verify_tally(h.app, actor(Role.auditor, OTHER_CITY), meeting.meeting_id)


async def test_results_are_published_once_and_then_read_by_anyone(h: Harness) -> None:
    fixture = await with_directory(h, rules=RULES)
    meeting = await open_meeting(h, fixture, attendees=2)
    for token in meeting.tokens:
        await ballots.cast_ballot(h.app, None, token, ballot(meeting.agency_ids))
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    with pytest.raises(Conflict) as unpublished:
        public.published_results(h.app, meeting.meeting_id)
    assert unpublished.value.code == "not_published"
    with pytest.raises(Forbidden):
        await counting.publish_results(h.app, actor(Role.auditor), meeting.meeting_id)
    state = await counting.publish_results(h.app, office(), meeting.meeting_id)
    assert state.published is not None and h.published_names()[-1] == "ResultsPublished"
    assert public.published_results(h.app, meeting.meeting_id).published == state.published
    with pytest.raises(Conflict):
        await counting.publish_results(h.app, office(), meeting.meeting_id)
    with pytest.raises(NotFound):
        public.published_results(h.app, "meet-none")


async def test_the_public_list_pages_published_meetings_latest_first_without_a_scan(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = await with_directory(h, rules=RULES)
    # Published in this order; the last one closed but not published.
    held = {"meet-old": date(2017, 2, 1), "meet-new": date(2017, 2, 20), "meet-mid": None}
    for meeting_id, held_on in held.items():
        meeting = await open_meeting(
            h, fixture, attendees=1, meeting_id=meeting_id, held_on=held_on or date(2017, 2, 9)
        )
        await ballots.cast_ballot(h.app, None, meeting.tokens[0], ballot(meeting.agency_ids))
        await counting.close_meeting(h.app, office(), meeting_id)
        if held_on is not None:
            await counting.publish_results(h.app, office(), meeting_id)
    # The latest meeting of all, only scheduled.
    await meetings.schedule_meeting(
        h.app, office(), new_meeting(fixture, meeting_id="meet-x", held_on=date(2017, 3, 1))
    )

    def no_scan(kind: str) -> None:
        raise AssertionError(f"a request scanned every {kind}")

    monkeypatch.setattr(h.app.store.state_file, "scan", no_scan)
    total, page = public.published_meetings(h.app, offset=0, limit=1)
    assert total == 2
    assert [s.scheduled.meeting_id for s in page if s.scheduled] == ["meet-new"]
    total, page = public.published_meetings(h.app, offset=1, limit=5)
    assert [s.scheduled.meeting_id for s in page if s.scheduled] == ["meet-old"]
