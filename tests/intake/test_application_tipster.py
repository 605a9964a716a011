"""The tipster's sealed data, without a broker: reading words and contact is recorded
first; erasure is recorded, then the keys are shredded, and a crash between the two
is finished by the next pass."""

from __future__ import annotations

import pytest

from services.intake.application.deadlines import run_due_work
from services.intake.application.tipster import (
    decrypt_contact,
    decrypt_text,
    erase_contact,
    finish_erasures,
)
from services.intake.application.triage import accept_tip, reject_tip
from shared.actors import Role
from shared.errors import Conflict, Forbidden, NotFound

from .fakes import LEGAL, OFFICER, Desk, actor

CONTACT = {"name": "测试举报人", "phone": "13900004444"}


async def test_reading_the_words_is_recorded_then_the_text_and_notes_opened(desk: Desk) -> None:
    tip_id = await desk.tip(agency_text="东湖城管", contact=CONTACT)
    await accept_tip(desk.app, OFFICER, tip_id, note="请核实票据")
    opened = await decrypt_text(desk.app, LEGAL, tip_id, purpose="核查", correlation_id="c-1")
    assert desk.types()[-1] == "TipTextDecrypted"
    read = desk.last("TipTextDecrypted")
    assert read["read_by"] == LEGAL.subject and read["office"] == LEGAL.organisation
    assert read["role"] == "legal_office" and read["purpose"] == "核查"
    assert opened.words.description == "城管执法人员罚款后不开具票据"
    assert opened.words.agency_text == "东湖城管"
    assert opened.notes == (("accepted", "请核实票据"),)


async def test_reading_needs_a_reader_of_the_region_and_a_purpose(desk: Desk) -> None:
    tip_id = await desk.tip()
    with pytest.raises(Forbidden):
        await decrypt_text(desk.app, actor(Role.auditor, "360102"), tip_id, purpose="看看")
    with pytest.raises(NotFound):
        await decrypt_text(desk.app, actor(Role.legal_office, "360103"), tip_id, purpose="看看")
    assert desk.types() == ["TipReceived"]


async def test_reading_the_contact_is_recorded_first(desk: Desk) -> None:
    tip_id = await desk.tip(contact=CONTACT)
    contact = await decrypt_contact(desk.app, LEGAL, tip_id, purpose="回访")
    assert contact == CONTACT
    assert desk.types() == ["TipReceived", "ContactDecrypted"]
    decrypted = desk.last("ContactDecrypted")
    assert decrypted["purpose"] == "回访" and decrypted["decrypted_by"] == LEGAL.as_extension()
    assert "13900004444" not in str(desk.h.published())


async def test_an_anonymous_tip_has_no_contact_to_read(desk: Desk) -> None:
    tip_id = await desk.tip()
    with pytest.raises(Conflict) as refused:
        await decrypt_contact(desk.app, LEGAL, tip_id, purpose="回访")
    assert "anonymous" in refused.value.en and refused.value.zh
    assert desk.types() == ["TipReceived"]


async def test_erasure_is_recorded_then_every_key_shredded(desk: Desk) -> None:
    tip_id = await desk.tip(contact=CONTACT)
    await erase_contact(desk.app, LEGAL, tip_id, reason="本人申请", correlation_id="c-2")
    assert desk.types() == ["TipReceived", "ContactErased"]
    assert desk.last("ContactErased")["reason"] == "本人申请"
    assert desk.app.privacy.is_erased(tip_id)
    assert desk.app.store.tips_to_erase.members() == []
    with pytest.raises(Conflict):
        await decrypt_contact(desk.app, LEGAL, tip_id, purpose="回访")
    with pytest.raises(Conflict) as erased:
        await decrypt_text(desk.app, LEGAL, tip_id, purpose="核查")
    assert erased.value.code == "erased"
    with pytest.raises(Conflict) as no_note:  # nothing more is sealed under a shredded key
        await reject_tip(desk.app, OFFICER, tip_id, reason="不属于")
    assert no_note.value.code == "erased"
    with pytest.raises(Forbidden):
        await erase_contact(desk.app, OFFICER, tip_id, reason="再删")


async def test_a_crash_before_the_shredding_is_finished_by_the_next_pass(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    tip_id = await desk.tip(contact=CONTACT)

    def crash(tip: str) -> None:
        raise RuntimeError("the process died before shredding")

    with monkeypatch.context() as patched:
        patched.setattr(desk.app.privacy, "erase", crash)
        with pytest.raises(RuntimeError):
            await erase_contact(desk.app, LEGAL, tip_id, reason="本人申请")
    assert desk.types()[-1] == "ContactErased" and not desk.app.privacy.is_erased(tip_id)
    assert desk.app.store.tips_to_erase.members() == [tip_id]
    await run_due_work(desk.app)
    assert desk.app.privacy.is_erased(tip_id)
    assert await finish_erasures(desk.app) == 0
