"""Tips coming in, without a broker: submission (references, rate limit, idempotency,
internal channels) and the public's receipt-code lookup."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.application.submission import follow_with_receipt, submit, submit_tip
from services.intake.domain.receipt import check_character, format_code, normalise
from services.intake.domain.tip import TipStatus
from shared.actors import Role
from shared.errors import Forbidden, Invalid, NotFound, Throttled
from shared.events.intake import TipChannel
from shared.settings import Settings

from .fakes import Desk, actor

CLIENT = "198.51.100.7"


async def test_a_public_tip_is_received_sealed_with_a_receipt(desk: Desk) -> None:
    tip = desk.new_tip(contact={"phone": "13900001111"}, agency_text="某局")
    submitted = await submit(desk.app, tip, actor=None, client=CLIENT, correlation_id="corr-1")
    assert desk.types() == ["TipReceived"]
    received = desk.last("TipReceived")
    assert received["tip_id"] == submitted.tip_id and submitted.tip_id.startswith("tip-")
    assert received["campaign_id"] == desk.world.campaign_id
    assert received["anonymous"] is False and received["sealed_contact"]
    assert received["description"] == "" and received["sealed_text"]  # the words are sealed
    assert "13900001111" not in str(received)
    assert received["receipt_lookup"] and not received["sealed_receipt"]  # no key: none kept
    envelope = desk.events("TipReceived")[0]
    assert envelope.actor == "public:anonymous:" and envelope.correlationid == "corr-1"
    assert submitted.state.status is TipStatus.received and not submitted.replayed


async def test_no_campaign_named_is_the_default_campaign(desk: Desk) -> None:
    await submit(desk.app, desk.new_tip(campaign_id=""), actor=None, client=CLIENT)
    assert desk.last("TipReceived")["campaign_id"] == desk.app.settings.default_campaign_id


@pytest.mark.parametrize(
    ("overrides", "field", "en"),
    [
        ({"region_code": "110101"}, "region_code", "is not a Jiangxi"),
        ({"campaign_id": "no-such-campaign"}, "campaign_id", "unknown campaign"),
        ({"agency_id": "ag-nowhere"}, "agency_id", "unknown agency_id"),
        ({"agency_id": "", "agency_text": ""}, "agency_text", "name the agency"),
        ({"occurred_on": date(2016, 7, 21)}, "occurred_on", "future"),
    ],
)
async def test_references_are_checked_before_anything_is_published(
    desk: Desk, overrides: dict[str, object], field: str, en: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await submit(desk.app, desk.new_tip(**overrides), actor=None, client=CLIENT)
    assert refused.value.field == field and en in refused.value.en and refused.value.zh
    assert desk.types() == []


async def test_an_internal_channel_needs_an_officer_of_the_region(desk: Desk) -> None:
    tip = desk.new_tip(channel=TipChannel.joint_inspection)
    with pytest.raises(Forbidden):
        await submit(desk.app, tip, actor=None, client=CLIENT)
    officer = actor(Role.intake_officer, "360102")
    filed = await submit(desk.app, tip, actor=officer, client=CLIENT)
    assert desk.types() == ["TipReceived"]
    assert desk.events("TipReceived")[0].actor == officer.as_extension()
    assert filed.state.channel is TipChannel.joint_inspection


async def test_the_public_is_rate_limited_and_officers_are_not(settings: Settings) -> None:
    desk = await Desk.open(settings.model_copy(update={"intake_tip_limit": "2/hour"}))
    for _ in range(2):
        await submit(desk.app, desk.new_tip(), actor=None, client=CLIENT)
    with pytest.raises(Throttled) as refused:
        await submit(desk.app, desk.new_tip(), actor=None, client=CLIENT)
    assert refused.value.retry_after > 0 and "too many tips" in refused.value.en
    await submit(desk.app, desk.new_tip(), actor=None, client="198.51.100.8")  # its own budget
    officer = actor(Role.intake_officer, "360102")
    await submit(desk.app, desk.new_tip(), actor=officer, client=CLIENT)
    assert desk.types() == ["TipReceived"] * 4


async def test_a_retry_with_the_same_key_returns_the_first_tip(desk: Desk) -> None:
    tip = desk.new_tip(request_body={"description": "same"})
    first = await submit(desk.app, tip, actor=None, client=CLIENT, idempotency_key="key-12345678")
    again = await submit(desk.app, tip, actor=None, client=CLIENT, idempotency_key="key-12345678")
    assert again.replayed and again.tip_id == first.tip_id
    assert again.receipt_code == first.receipt_code  # opened from its sealed copy
    assert desk.types() == ["TipReceived"]
    assert desk.last("TipReceived")["sealed_receipt"]
    different = desk.new_tip(request_body={"description": "other"})
    with pytest.raises(Invalid) as refused:
        await submit(desk.app, different, actor=None, client=CLIENT, idempotency_key="key-12345678")
    assert refused.value.field == "Idempotency-Key"
    assert desk.types() == ["TipReceived"]


async def test_a_system_tip_has_no_receipt(desk: Desk) -> None:
    tip = desk.new_tip(channel=TipChannel.public_evaluation, with_receipt=False, by_system=True)
    submitted = await submit_tip(desk.app, tip, actor="system:test:", tip_id="tip-fixed")
    assert submitted.tip_id == "tip-fixed" and submitted.receipt_code == ""
    assert desk.last("TipReceived")["receipt_lookup"] == ""


async def test_the_receipt_code_shows_the_public_status(desk: Desk) -> None:
    submitted = await submit(desk.app, desk.new_tip(), actor=None, client=CLIENT)
    progress = await follow_with_receipt(desk.app, submitted.receipt_code.lower(), CLIENT)
    assert progress.status is TipStatus.received
    assert progress.received_on == progress.updated_on == date(2016, 7, 20)
    assert progress.referred_to == ""


async def test_a_mistyped_code_and_an_unknown_one_are_told_apart_and_counted(
    settings: Settings,
) -> None:
    desk = await Desk.open(settings.model_copy(update={"intake_lookup_failure_limit": "2/hour"}))
    submitted = await submit(desk.app, desk.new_tip(), actor=None, client=CLIENT)
    code = normalise(submitted.receipt_code)
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    with pytest.raises(Invalid) as mistyped:
        await follow_with_receipt(desk.app, typo, CLIENT)
    assert mistyped.value.field == "receipt_code" and "mistyped" in mistyped.value.en
    body = ("3" if code[0] != "3" else "4") + code[1:-1]
    with pytest.raises(NotFound) as unknown:
        await follow_with_receipt(desk.app, format_code(body + check_character(body)), CLIENT)
    assert unknown.value.field == "receipt_code" and "receipt code" in unknown.value.en
    with pytest.raises(Throttled):  # two failures: refused before the code is looked at
        await follow_with_receipt(desk.app, code, CLIENT)
    assert (await follow_with_receipt(desk.app, code, "198.51.100.9")).status is TipStatus.received
