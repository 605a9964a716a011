"""Ballot handlers without a broker: issuing, slips, looking a token up through the
token index, casting by phone and by a teller, spoiling."""

from __future__ import annotations

import pytest

from services.evaluation.application import ballots, counting
from services.evaluation.domain.ballots import box_subject, comments_subject
from services.evaluation.domain.tokens import hash_token
from shared.actors import Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.evaluation import BallotChannel
from shared.privacy import KeyStore, is_sealed
from tests.evaluation.steps import (
    CITY,
    OTHER_CITY,
    Harness,
    actor,
    ballot,
    office,
    open_meeting,
    with_directory,
)


async def test_one_ballot_per_attendee_is_issued_and_only_hashes_are_kept(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture, attendees=3)
    assert len(meeting.tokens) == len(set(meeting.tokens)) == 3
    assert h.published_names()[-1] == "BallotsIssued"
    issued = h.published()[-1].data
    assert issued["count"] == 3
    assert sorted(issued["token_hashes"]) == sorted(hash_token(t) for t in meeting.tokens)
    assert not set(meeting.tokens) & set(issued["token_hashes"])
    # The keys are made before any token is handed out.
    keys = KeyStore(h.app.settings.resolved_keystore_url)
    for subject in (box_subject(meeting.meeting_id), comments_subject(meeting.meeting_id)):
        assert keys.key_for(subject, create=False) is not None


async def test_issuing_is_for_the_meeting_s_office_only(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    before = len(h.published())
    with pytest.raises(Forbidden):
        await ballots.issue_ballots(h.app, actor(Role.auditor), meeting.meeting_id)
    with pytest.raises(Conflict) as twice:
        await ballots.issue_ballots(h.app, office(), meeting.meeting_id)
    assert twice.value.code == "wrong_status"
    assert len(h.published()) == before


async def test_slips_are_printed_for_the_meeting_s_own_tokens(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    state = ballots.slips(h.app, office(), meeting.meeting_id, meeting.tokens[:2])
    assert state.scheduled is not None
    with pytest.raises(Invalid) as foreign:
        ballots.slips(h.app, office(), meeting.meeting_id, ("not-a-token-of-it-0000",))
    assert foreign.value.field == "tokens"


async def test_a_token_finds_its_meeting_and_tells_where_its_ballot_stands(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture, attendees=3)
    first, second, third = meeting.tokens
    assert ballots.look_up_ballot(h.app, first).state == "open"
    standing = ballots.look_up_ballot(h.app, first)
    assert standing.meeting_id == meeting.meeting_id
    assert [a.agency_id for a in standing.agencies] == list(meeting.agency_ids)
    await ballots.cast_ballot(h.app, None, first, ballot(meeting.agency_ids))
    await ballots.spoil_ballot(h.app, office(), meeting.meeting_id, second, "污损 / defaced")
    assert ballots.look_up_ballot(h.app, first).state == "cast"
    assert ballots.look_up_ballot(h.app, second).state == "spoiled"
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    assert ballots.look_up_ballot(h.app, third).state == "closed"
    for lookup in (ballots.look_up_ballot, ballots.check_token):
        with pytest.raises(Forbidden) as unknown:
            lookup(h.app, "unknown-token-000000000")
        assert unknown.value.code == "unknown_token" and unknown.value.field == "token"


async def test_a_phone_cast_is_anonymous_and_its_content_sealed(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    before = len(h.published())
    meeting_id = await ballots.cast_ballot(
        h.app, None, meeting.tokens[0], ballot(meeting.agency_ids, problem=" 乱罚款 ")
    )
    assert meeting_id == meeting.meeting_id
    spent, sealed = h.published()[before:]
    assert h.published_names()[before:] == ["BallotTokenSpent", "BallotSealed"]
    assert spent.data["channel"] == BallotChannel.phone.value
    assert spent.data["token_hash"] == hash_token(meeting.tokens[0])
    assert spent.actor == sealed.actor == f"public:anonymous-voter:{CITY}"
    assert is_sealed(sealed.data["sealed"])
    assert "乱罚款" not in sealed.model_dump_json() and "意见" not in sealed.model_dump_json()
    with pytest.raises(Conflict) as twice:
        await ballots.cast_ballot(h.app, None, meeting.tokens[0], ballot(meeting.agency_ids))
    assert twice.value.code == "already_cast"


async def test_a_teller_casts_for_a_meeting_of_the_region_only(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    with pytest.raises(Forbidden) as elsewhere:
        await ballots.cast_ballot(
            h.app, office(OTHER_CITY), meeting.tokens[0], ballot(meeting.agency_ids)
        )
    assert elsewhere.value.code == "region_not_allowed"
    await ballots.cast_ballot(h.app, office(), meeting.tokens[0], ballot(meeting.agency_ids))
    spent = h.published()[-2]
    assert spent.data["channel"] == BallotChannel.teller.value
    assert spent.actor == office().as_extension()
    # Anyone else signed in casts as the public does.
    await ballots.cast_ballot(
        h.app, actor(Role.auditor), meeting.tokens[1], ballot(meeting.agency_ids)
    )
    assert h.published()[-2].data["channel"] == BallotChannel.phone.value


async def test_a_ballot_after_the_close_is_refused_without_sealing(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    await counting.close_meeting(h.app, office(), meeting.meeting_id)
    before = len(h.published())
    with pytest.raises(Conflict) as closed:
        await ballots.cast_ballot(h.app, None, meeting.tokens[0], ballot(meeting.agency_ids))
    assert closed.value.code == "meeting_closed" and closed.value.field == "token"
    assert len(h.published()) == before


async def test_a_teller_spoils_a_ballot_of_the_meeting(h: Harness) -> None:
    fixture = await with_directory(h)
    meeting = await open_meeting(h, fixture)
    with pytest.raises(Forbidden):
        await ballots.spoil_ballot(h.app, actor(Role.admin), meeting.meeting_id, "x", "")
    state = await ballots.spoil_ballot(
        h.app, office(), meeting.meeting_id, meeting.tokens[0], "写错 / miswritten"
    )
    assert state.spoiled_hashes == {hash_token(meeting.tokens[0])}
    assert h.published_names()[-1] == "BallotSpoiled"
    assert h.published()[-1].data["was_cast"] is False
