"""Verification and the problems it finds, without a broker: substantiated (each
problem recorded once as ``ProblemFound``, a crash in between finished by the next
pass), unsubstantiated, and who reads which problems."""

from __future__ import annotations

import pytest

from services.intake.application.problems import (
    ProblemDraft,
    list_problems,
    reconcile_problems,
    record_tip_problems,
)
from services.intake.application.triage import accept_tip, merge_tip
from services.intake.application.verification import substantiate_tip, unsubstantiate_tip
from services.intake.domain.tip import TipStatus
from shared.actors import Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.privacy import is_sealed
from shared.vocabulary import ProblemCategory, Severity

from .fakes import LEGAL, OFFICER, Desk, actor

FINE = ProblemDraft(ProblemCategory.procedural, "arbitrary_fine", Severity.high, "乱罚款")


async def accepted_tip(desk: Desk, **overrides: object) -> str:
    tip_id = await desk.tip(**overrides)
    await accept_tip(desk.app, OFFICER, tip_id)
    return tip_id


async def test_a_substantiated_tip_records_each_problem_once(desk: Desk) -> None:
    tip_id = await accepted_tip(desk)
    city_fine = ProblemDraft(
        ProblemCategory.oversight,
        "fine_quota",
        Severity.low,
        "下达罚没指标",
        desk.world.city_agency_id,
    )
    state = await substantiate_tip(
        desk.app, LEGAL, tip_id, findings="查实罚款未开票", problems=[FINE, city_fine]
    )
    assert state.status is TipStatus.substantiated and len(state.problem_ids) == 2
    assert desk.types() == [
        "TipReceived",
        "TipAccepted",
        "TipSubstantiated",
        "ProblemFound",
        "ProblemFound",
    ]
    substantiated = desk.last("TipSubstantiated")
    assert is_sealed(substantiated["sealed_findings"]) and substantiated["phase"] == "finding"
    found = [e.data for e in desk.events("ProblemFound")]
    assert [f["problem_id"] for f in found] == list(state.problem_ids)
    assert [f["agency_id"] for f in found] == [desk.world.agency_id, desk.world.city_agency_id]
    assert [f["region_code"] for f in found] == ["360102", "360100"]  # the agency's region
    assert all(f["source"] == "tip" and f["source_tip_ids"] == [tip_id] for f in found)
    assert desk.events("ProblemFound")[0].causationid == tip_id
    assert await record_tip_problems(desk.app, tip_id) == 0  # once each
    assert len(desk.events("ProblemFound")) == 2


async def test_the_problems_of_merged_duplicates_name_every_tip(desk: Desk) -> None:
    tip_id = await accepted_tip(desk)
    duplicate = await desk.tip()
    await merge_tip(desk.app, OFFICER, duplicate, into_tip_id=tip_id)
    await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[FINE])
    assert desk.last("ProblemFound")["source_tip_ids"] == [tip_id, duplicate]


async def test_a_problem_needs_a_known_agency(desk: Desk) -> None:
    named_by_text = await accepted_tip(desk, agency_id="", agency_text="某执法局")
    with pytest.raises(Invalid) as no_agency:
        await substantiate_tip(desk.app, LEGAL, named_by_text, findings="属实", problems=[FINE])
    assert no_agency.value.field == "problems.0.agency_id" and no_agency.value.zh
    tip_id = await accepted_tip(desk)
    unknown = ProblemDraft(FINE.category, FINE.kind, FINE.severity, FINE.summary, "ag-nowhere")
    with pytest.raises(Invalid) as refused:
        await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[FINE, unknown])
    assert refused.value.field == "problems.1.agency_id" and "ag-nowhere" in refused.value.en
    wrong_kind = ProblemDraft(ProblemCategory.civility, "arbitrary_fine", Severity.low, "x")
    with pytest.raises(Invalid) as kind:
        await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[wrong_kind])
    assert kind.value.field == "problems.0.kind"
    assert "TipSubstantiated" not in desk.types()


async def test_verification_needs_an_accepted_tip_and_a_verifier(desk: Desk) -> None:
    tip_id = await desk.tip()
    with pytest.raises(Conflict):
        await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[FINE])
    await accept_tip(desk.app, OFFICER, tip_id)
    with pytest.raises(Forbidden):
        await unsubstantiate_tip(desk.app, actor(Role.auditor, "360102"), tip_id, reason="x")


async def test_an_unsubstantiated_tip_records_a_sealed_reason_and_no_problem(desk: Desk) -> None:
    tip_id = await accepted_tip(desk)
    state = await unsubstantiate_tip(desk.app, LEGAL, tip_id, reason="票据齐全")
    assert state.status is TipStatus.unsubstantiated
    assert is_sealed(desk.last("TipUnsubstantiated")["sealed_reason"])
    assert "ProblemFound" not in desk.types()


async def test_problems_a_crash_left_unrecorded_are_recorded_by_the_next_pass(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    tip_id = await accepted_tip(desk)

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the process died after the substantiation")

    with monkeypatch.context() as patched:
        patched.setattr("services.intake.application.verification.record_tip_problems", crash)
        with pytest.raises(RuntimeError):
            await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[FINE])
    assert "ProblemFound" not in desk.types()
    assert tip_id in desk.app.store.tips_with_problems.members()
    assert await reconcile_problems(desk.app) == 1
    assert desk.types()[-1] == "ProblemFound"
    assert desk.app.store.tips_with_problems.members() == []
    assert await reconcile_problems(desk.app) == 0


async def test_agency_staff_read_their_own_problems_without_the_tips_behind_them(
    desk: Desk,
) -> None:
    tip_id = await accepted_tip(desk)
    city_fine = ProblemDraft(
        FINE.category, FINE.kind, FINE.severity, "市局", desk.world.city_agency_id
    )
    await substantiate_tip(desk.app, LEGAL, tip_id, findings="属实", problems=[FINE, city_fine])
    total, page = await list_problems(desk.app, actor(Role.intake_officer, "360100"))
    assert total == 2 and all(p["source_tip_ids"] == [tip_id] for p in page)
    staff = actor(Role.agency_staff, "360102", organisation=desk.world.agency_id)
    total, page = await list_problems(desk.app, staff)
    assert total == 1 and page[0]["agency_id"] == desk.world.agency_id
    assert page[0]["source_tip_ids"] == []  # withheld by the access policy
    county_officer_total, _ = await list_problems(desk.app, OFFICER)
    assert county_officer_total == 1  # the city agency's problem is above its region
    total, _ = await list_problems(
        desk.app, actor(Role.auditor, "360000"), agency_id=desk.world.city_agency_id
    )
    assert total == 1
    total, _ = await list_problems(desk.app, actor(Role.auditor, "360000"), campaign_id="other")
    assert total == 0
    with pytest.raises(Forbidden):
        await list_problems(desk.app, actor(Role.public, "360102"))
