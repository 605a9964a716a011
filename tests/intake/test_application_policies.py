"""What intake takes from other topics, without a broker: problems raised at
evaluation meetings become tips (once each, their text opened with the meeting's key
and sealed again under the tip's), and the directory view the handlers read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.intake.application.raised import UNREADABLE, UNSTATED, tip_id_for_raised
from services.intake.application.submission import submit
from services.intake.application.tipster import decrypt_text
from services.intake.domain.tip import TipStatus
from shared.actors import Role
from shared.events.directory import AgencyRegistered
from shared.events.evaluation import BallotCommentsRead, ProblemRaised, ballot_text_subject
from shared.events.intake import TipChannel
from shared.privacy import KeyStore, PersonalDataVault, is_sealed
from shared.topics import DIRECTORY, EVALUATION

from .fakes import LEGAL, Desk, actor

RAISED_AT = datetime(2016, 7, 19, 6, 0, tzinfo=UTC)


def raised(desk: Desk, raised_id: str = "raised-1", **overrides: object) -> ProblemRaised:
    values: dict[str, object] = {
        "meeting_id": "meet-1",
        "raised_id": raised_id,
        "campaign_id": desk.world.campaign_id,
        "agency_id": desk.world.agency_id,
        "region_code": "360102",
        "description": desk.app.privacy.vault.encrypt(ballot_text_subject("meet-1"), "执法不公"),
        "raised_at": RAISED_AT,
    }
    values.update(overrides)
    return ProblemRaised.model_validate(values)


async def test_a_raised_problem_becomes_a_tip_once(desk: Desk) -> None:
    envelopes = await desk.h.deliver_events(
        EVALUATION, [raised(desk)], subject="meet-1", source="/evaluation"
    )
    tip_id = tip_id_for_raised("raised-1")
    assert desk.types() == ["TipReceived"]
    received = desk.events("TipReceived")[0]
    assert received.subject == tip_id and received.actor == "system:evaluation-meeting:"
    assert received.correlationid == (envelopes[0].correlationid or envelopes[0].id)
    data = received.data
    assert data["channel"] == TipChannel.public_evaluation.value
    assert data["origin_ref"] == "evaluation:raised-1" and data["receipt_lookup"] == ""
    assert data["agency_id"] == desk.world.agency_id and is_sealed(data["sealed_text"])
    assert data["occurred_on"] == "2016-07-19"
    opened = await decrypt_text(desk.app, LEGAL, tip_id, purpose="核查")
    assert opened.words.description == "执法不公"  # sealed again under the tip's key
    assert desk.app.store.state("tip", tip_id).status is TipStatus.received
    await desk.h.deliver(EVALUATION, envelopes)  # redelivered
    assert desk.types() == ["TipReceived", "TipTextDecrypted"]


async def test_an_unknown_agency_is_kept_as_text_and_an_unknown_region_is_the_province(
    desk: Desk,
) -> None:
    event = raised(desk, "raised-2", agency_id="某不知名机关", region_code="999999")
    await desk.h.deliver_events(EVALUATION, [event], subject="meet-1", source="/evaluation")
    data = desk.last("TipReceived")
    assert data["agency_id"] == "" and data["region_code"] == "360000"
    opened = await decrypt_text(
        desk.app, actor(Role.legal_office, "360000"), data["tip_id"], purpose="核查"
    )
    assert opened.words.agency_text == "某不知名机关"


async def test_text_that_cannot_be_opened_or_was_not_written_is_said_so(
    desk: Desk, tmp_path: Path
) -> None:
    # Sealed in a key store intake does not share: a deployment error, said in the tip.
    elsewhere = PersonalDataVault(KeyStore(f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"))
    sealed = elsewhere.encrypt(ballot_text_subject("meet-1"), "执法不公")
    unreadable = raised(desk, "raised-3", description=sealed)
    unstated = raised(desk, "raised-4", description="")
    await desk.h.deliver_events(
        EVALUATION, [unreadable, unstated], subject="meet-1", source="/evaluation"
    )
    texts = [
        (await decrypt_text(desk.app, LEGAL, e.data["tip_id"], purpose="核查")).words.description
        for e in desk.events("TipReceived")
    ]
    assert texts == [UNREADABLE, UNSTATED]


async def test_other_evaluation_events_are_passed_over(desk: Desk) -> None:
    read = BallotCommentsRead(
        meeting_id="meet-1", reader="admin:x:360000", office_id="x", purpose="p", read_at=RAISED_AT
    )
    await desk.h.deliver_events(EVALUATION, [read], subject="meet-1", source="/evaluation")
    assert desk.types() == []


async def test_the_directory_view_follows_directory_events(desk: Desk) -> None:
    agency = desk.app.directory.agencies[desk.world.agency_id].model_copy(
        update={"agency_id": "ag-later-360102", "name": "后来登记的机关"}
    )
    assert "ag-later-360102" not in desk.app.directory.agencies
    await desk.h.deliver_events(
        DIRECTORY, [AgencyRegistered(agency=agency)], subject=agency.agency_id, source="/directory"
    )
    assert desk.app.directory.agencies["ag-later-360102"].name == "后来登记的机关"
    await submit(desk.app, desk.new_tip(agency_id="ag-later-360102"), actor=None, client="c")
    assert desk.last("TipReceived")["agency_id"] == "ag-later-360102"
