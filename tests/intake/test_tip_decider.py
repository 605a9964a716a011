"""Given / when / then for every transition and refusal of a tip."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain.commands import (
    AcceptTip,
    AssignTip,
    DecryptContact,
    DecryptText,
    EscalateTip,
    MergeTip,
    ReceiveTip,
    RejectTip,
    SubstantiateTip,
    TargetTip,
    TransferTip,
    UnsubstantiateTip,
)
from services.intake.domain.tip import TipDecider, TipStatus
from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.directory import PhaseCode
from shared.events.intake import (
    Attachment,
    ContactDecrypted,
    FoundProblem,
    TipAccepted,
    TipAssigned,
    TipChannel,
    TipEscalated,
    TipMerged,
    TipReceived,
    TipRejected,
    TipStage,
    TipSubstantiated,
    TipTextDecrypted,
    TipTransferred,
    TipUnsubstantiated,
)
from shared.testing import given
from shared.vocabulary import Power, ProblemCategory, Severity

T0 = datetime(2016, 7, 20, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=2)
TIP = "tip-1"
DONGHU = "360102"
decider = TipDecider()
WORDS = "aesgcm1:words"  # stands for the vault's ciphertext: the decider never opens it
NOTE = "aesgcm1:note"

officer = Actor(subject="o", role=Role.intake_officer, organisation="lo-360102", region_code=DONGHU)
city_officer = Actor(
    subject="c", role=Role.intake_officer, organisation="lo-360100", region_code="360100"
)
other_county = Actor(
    subject="x", role=Role.intake_officer, organisation="lo-360103", region_code="360103"
)
legal = Actor(subject="l", role=Role.legal_office, organisation="lo-360102", region_code=DONGHU)
agency = Actor(subject="a", role=Role.agency_staff, organisation="ag-1", region_code=DONGHU)


def received(contact: str = "") -> TipReceived:
    return TipReceived(
        tip_id=TIP,
        campaign_id="c1",
        channel=TipChannel.hotline,
        region_code=DONGHU,
        agency_id="ag-1",
        power=Power.penalty,
        occurred_on=date(2016, 7, 1),
        anonymous=not contact,
        sealed_text=WORDS,
        sealed_contact=contact,
        triage_due_at=T0 + timedelta(days=3),
        received_at=T0,
    )


def receive(**overrides: object) -> ReceiveTip:
    values: dict[str, object] = {
        "tip_id": TIP,
        "campaign_id": "c1",
        "channel": TipChannel.hotline,
        "region_code": DONGHU,
        "agency_id": "ag-1",
        "power": Power.penalty,
        "description": "罚款不开票",
        "sealed_text": WORDS,
        "occurred_on": date(2016, 7, 1),
        "triage_due_at": T0 + timedelta(days=3),
        "at": T0,
    }
    values.update(overrides)
    return ReceiveTip(**values)  # type: ignore[arg-type]


accepted = TipAccepted(
    tip_id=TIP, verification_due_at=LATER + timedelta(days=15), accepted_at=LATER
)
assigned = TipAssigned(
    tip_id=TIP,
    assignee="lo-360102",
    verification_due_at=LATER + timedelta(days=15),
    assigned_at=LATER,
)
rejected = TipRejected(tip_id=TIP, sealed_reason=NOTE, referred_to="法院", rejected_at=LATER)

problem = FoundProblem(
    problem_id="prb-1",
    agency_id="ag-1",
    region_code=DONGHU,
    category=ProblemCategory.procedural,
    kind="arbitrary_fine",
    severity=Severity.medium,
    summary="乱罚款",
)


def substantiate(*problems: FoundProblem, actor: Actor = officer) -> SubstantiateTip:
    return SubstantiateTip(
        actor=actor,
        findings="属实",
        sealed_findings=NOTE,
        problems=problems,
        phase=PhaseCode.finding,
        at=LATER,
        merged_tip_ids=("tip-dup",),
    )


# -- receiving -------------------------------------------------------------------------


def test_receive_emits_tip_received() -> None:
    given(decider).when(receive()).then(received())


def test_receive_with_sealed_contact_is_not_anonymous() -> None:
    given(decider).when(receive(sealed_contact="aesgcm1:xx")).then(received("aesgcm1:xx"))


def test_receive_twice_is_refused() -> None:
    given(decider, received()).when(receive()).then_refused(Conflict, "already received")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region_code": "110000"}, "region_code"),
        ({"description": "   "}, "description"),
        ({"occurred_on": date(2016, 7, 21)}, "occurred_on"),
    ],
)
def test_receive_refuses_bad_input(overrides: dict[str, object], field: str) -> None:
    refusal = given(decider).when(receive(**overrides)).then_refused(Invalid)
    assert refusal.field == field


def test_the_public_may_not_file_under_an_internal_channel() -> None:
    inspection = receive(channel=TipChannel.joint_inspection)
    refusal = given(decider).when(inspection).then_refused(Forbidden, "joint_inspection")
    assert refusal.field == "channel"
    by_agency = receive(channel=TipChannel.spot_check, filer=agency)
    given(decider).when(by_agency).then_refused(Forbidden, "internal")


def test_an_officer_of_the_region_files_under_an_internal_channel() -> None:
    filed = given(decider).when(receive(channel=TipChannel.joint_inspection, filer=officer))
    assert [type(e) for e in filed.decided()] == [TipReceived]
    elsewhere = receive(channel=TipChannel.joint_inspection, filer=other_county)
    given(decider).when(elsewhere).then_refused(Forbidden, "360102")


def test_only_the_platform_files_evaluation_meeting_tips() -> None:
    meeting = receive(channel=TipChannel.public_evaluation, filer=officer)
    assert given(decider).when(meeting).then_refused(Invalid).field == "channel"
    system = receive(channel=TipChannel.public_evaluation, by_system=True)
    assert given(decider).when(system).decided()


def test_commands_on_unknown_tip_are_refused() -> None:
    given(decider).when(AcceptTip(officer, LATER, LATER)).then_refused(NotFound, "no such tip")


# -- triage ----------------------------------------------------------------------------


def test_accept() -> None:
    given(decider, received()).when(AcceptTip(officer, LATER + timedelta(days=15), LATER)).then(
        accepted
    )


def test_city_officer_may_act_on_county_tip() -> None:
    given(decider, received()).when(
        AcceptTip(city_officer, accepted.verification_due_at, LATER)
    ).then(accepted)


def test_accept_twice_is_refused() -> None:
    given(decider, received(), accepted).when(AcceptTip(officer, LATER, LATER)).then_refused(
        Conflict, "cannot be accepted"
    )


def test_accept_outside_region_gets_the_answer_an_unknown_tip_gets() -> None:
    outside = given(decider, received()).when(AcceptTip(other_county, LATER, LATER))
    unknown = given(decider).when(AcceptTip(officer, LATER, LATER))
    hidden, missing = outside.then_refused(NotFound), unknown.then_refused(NotFound)
    assert hidden.as_detail() == missing.as_detail()
    assert "360102" not in f"{hidden.zh}{hidden.en}"


def test_the_role_is_checked_before_the_tip_is_looked_for() -> None:
    given(decider).when(AcceptTip(agency, LATER, LATER)).then_refused(Forbidden, "intake_officer")


def test_accept_by_wrong_role_is_forbidden() -> None:
    given(decider, received()).when(AcceptTip(agency, LATER, LATER)).then_refused(
        Forbidden, "intake_officer"
    )


def test_reject_with_referral() -> None:
    given(decider, received()).when(
        RejectTip(officer, "不属于行政执法", LATER, referred_to="法院", sealed_reason=NOTE)
    ).then(rejected)


def test_reject_needs_a_reason() -> None:
    refusal = given(decider, received()).when(RejectTip(officer, " ", LATER)).then_refused(Invalid)
    assert refusal.field == "reason"


def test_reject_after_verification_is_refused() -> None:
    given(
        decider,
        received(),
        accepted,
        TipUnsubstantiated(tip_id=TIP, sealed_reason=NOTE, unsubstantiated_at=LATER),
    ).when(RejectTip(officer, "r", LATER, sealed_reason=NOTE)).then_refused(Conflict)


def test_merge_into_open_tip() -> None:
    target = TargetTip("tip-2", TipStatus.accepted, "c1", DONGHU, DONGHU)
    given(decider, received()).when(MergeTip(officer, target, "tip-2", LATER)).then(
        TipMerged(tip_id=TIP, into_tip_id="tip-2", merged_at=LATER)
    )


def test_merge_into_unknown_tip_is_not_found() -> None:
    given(decider, received()).when(MergeTip(officer, None, "tip-9", LATER)).then_refused(NotFound)


def test_merge_into_another_citys_tip_gets_the_answer_an_unknown_target_gets() -> None:
    ji_an = TargetTip("tip-2", TipStatus.accepted, "c1", "360202", "360202")
    refused = given(decider, received()).when(MergeTip(officer, ji_an, "tip-2", LATER))
    hidden = refused.then_refused(NotFound)
    missing = given(decider, received()).when(MergeTip(officer, None, "tip-2", LATER))
    assert hidden.as_detail() == missing.then_refused(NotFound).as_detail()
    assert hidden.field == "into_tip_id" and "accepted" not in hidden.en


def test_merge_into_a_closed_tip_of_another_region_does_not_tell_its_status() -> None:
    closed = TargetTip("tip-2", TipStatus.rejected, "c1", "360202", "360202")
    refused = given(decider, received()).when(MergeTip(officer, closed, "tip-2", LATER))
    assert "rejected" not in refused.then_refused(NotFound).en


def test_merge_into_a_tip_the_officer_sees_but_does_not_handle_is_forbidden() -> None:
    escalated = TargetTip("tip-2", TipStatus.received, "c1", DONGHU, "360100")
    given(decider, received()).when(MergeTip(officer, escalated, "tip-2", LATER)).then_refused(
        Forbidden, "360100"
    )
    given(decider, received()).when(MergeTip(city_officer, escalated, "tip-2", LATER)).then(
        TipMerged(tip_id=TIP, into_tip_id="tip-2", merged_at=LATER)
    )


def test_merge_into_a_target_of_another_id_is_refused() -> None:
    other = TargetTip("tip-5", TipStatus.accepted, "c1", DONGHU, DONGHU)
    given(decider, received()).when(MergeTip(officer, other, "tip-2", LATER)).then_refused(NotFound)


def test_merge_into_itself_is_invalid() -> None:
    target = TargetTip(TIP, TipStatus.received, "c1", DONGHU, DONGHU)
    given(decider, received()).when(MergeTip(officer, target, TIP, LATER)).then_refused(Invalid)


def test_merge_into_rejected_tip_is_refused() -> None:
    target = TargetTip("tip-2", TipStatus.rejected, "c1", DONGHU, DONGHU)
    given(decider, received()).when(MergeTip(officer, target, "tip-2", LATER)).then_refused(
        Conflict
    )


def test_merge_across_campaigns_is_refused() -> None:
    target = TargetTip("tip-2", TipStatus.received, "c2", DONGHU, DONGHU)
    given(decider, received()).when(MergeTip(officer, target, "tip-2", LATER)).then_refused(
        Conflict, "another campaign"
    )


def test_merge_a_merged_tip_is_refused() -> None:
    target = TargetTip("tip-3", TipStatus.received, "c1", DONGHU, DONGHU)
    merged = TipMerged(tip_id=TIP, into_tip_id="tip-2", merged_at=LATER)
    given(decider, received(), merged).when(MergeTip(officer, target, "tip-3", LATER)).then_refused(
        Conflict
    )


def test_assign_from_received_or_accepted() -> None:
    command = AssignTip(officer, "lo-360102", assigned.verification_due_at, LATER)
    given(decider, received()).when(command).then(assigned)
    given(decider, received(), accepted).when(command).then(assigned)


def test_assign_needs_an_assignee() -> None:
    given(decider, received()).when(AssignTip(officer, "", LATER, LATER)).then_refused(Invalid)


def test_assign_rejected_tip_is_refused() -> None:
    given(decider, received(), rejected).when(AssignTip(officer, "x", LATER, LATER)).then_refused(
        Conflict
    )


def transferred(due: datetime) -> TipTransferred:
    return TipTransferred(
        tip_id=TIP,
        from_region_code=DONGHU,
        to_region_code="360103",
        sealed_reason=NOTE,
        triage_due_at=due,
        transferred_at=LATER,
    )


def test_transfer_to_another_region() -> None:
    due = LATER + timedelta(days=3)
    given(decider, received()).when(
        TransferTip(
            city_officer,
            "属西湖区",
            LATER,
            to_region_code="360103",
            triage_due_at=due,
            sealed_reason=NOTE,
        )
    ).then(transferred(due))


def test_after_transfer_the_old_region_may_not_act() -> None:
    scenario = given(decider, received(), transferred(LATER))
    scenario.when(AcceptTip(officer, LATER, LATER)).then_refused(NotFound, "may not see it")
    assert scenario.when(AcceptTip(other_county, LATER, LATER)).decided()


@pytest.mark.parametrize(
    ("region", "field"), [("999999", "to_region_code"), (DONGHU, "to_region_code")]
)
def test_transfer_refuses_unknown_or_same_region(region: str, field: str) -> None:
    refusal = (
        given(decider, received())
        .when(TransferTip(officer, "r", LATER, to_region_code=region, triage_due_at=LATER))
        .then_refused(Invalid)
    )
    assert refusal.field == field


def test_transfer_needs_a_reason() -> None:
    given(decider, received()).when(
        TransferTip(officer, "", LATER, to_region_code="360103", triage_due_at=LATER)
    ).then_refused(Invalid)


def test_transfer_after_assignment_is_refused() -> None:
    given(decider, received(), assigned).when(
        TransferTip(officer, "r", LATER, to_region_code="360103", triage_due_at=LATER)
    ).then_refused(Conflict)


# -- escalation ------------------------------------------------------------------------


def test_nothing_escalates_before_the_deadline() -> None:
    given(decider, received()).when(EscalateTip(T0 + timedelta(days=2))).then()


def test_untriaged_tip_escalates_to_the_city_once() -> None:
    late = T0 + timedelta(days=3, minutes=1)
    escalated = TipEscalated(
        tip_id=TIP,
        stage=TipStage.triage,
        due_at=T0 + timedelta(days=3),
        from_region_code=DONGHU,
        to_region_code="360100",
        escalated_at=late,
    )
    given(decider, received()).when(EscalateTip(late)).then(escalated)
    given(decider, received(), escalated).when(EscalateTip(late + timedelta(days=9))).then()


def test_after_escalation_the_city_handles_the_tip() -> None:
    escalated = TipEscalated(
        tip_id=TIP,
        stage=TipStage.triage,
        due_at=T0,
        from_region_code=DONGHU,
        to_region_code="360100",
        escalated_at=LATER,
    )
    scenario = given(decider, received(), escalated)
    scenario.when(AcceptTip(officer, LATER, LATER)).then_refused(Forbidden)
    assert scenario.when(AcceptTip(city_officer, LATER, LATER)).decided()


def test_unverified_tip_escalates_on_verification_deadline() -> None:
    late = accepted.verification_due_at + timedelta(seconds=1)
    given(decider, received(), accepted).when(EscalateTip(late)).then(
        TipEscalated(
            tip_id=TIP,
            stage=TipStage.verification,
            due_at=accepted.verification_due_at,
            from_region_code=DONGHU,
            to_region_code="360100",
            escalated_at=late,
        )
    )


def test_closed_tips_never_escalate() -> None:
    given(decider, received(), rejected).when(EscalateTip(T0 + timedelta(days=300))).then()


def test_province_tip_escalates_to_the_province_itself() -> None:
    tip = received().model_copy(update={"region_code": "360000"})
    late = T0 + timedelta(days=4)
    events = given(decider, tip).when(EscalateTip(late)).decided()
    assert isinstance(events[0], TipEscalated) and events[0].to_region_code == "360000"


# -- verification ----------------------------------------------------------------------


def test_substantiate_lists_problems_and_backing_tips() -> None:
    given(decider, received(), accepted).when(substantiate(problem)).then(
        TipSubstantiated(
            tip_id=TIP,
            sealed_findings=NOTE,
            problems=(problem,),
            backing_tip_ids=(TIP, "tip-dup"),
            phase=PhaseCode.finding,
            substantiated_at=LATER,
        )
    )


def test_legal_office_may_verify_assigned_tip() -> None:
    events = given(decider, received(), assigned).when(substantiate(problem, actor=legal)).decided()
    assert isinstance(events[0], TipSubstantiated)


def test_substantiate_needs_problems() -> None:
    refusal = given(decider, received(), accepted).when(substantiate()).then_refused(Invalid)
    assert refusal.field == "problems"


def test_substantiate_refuses_kind_outside_category() -> None:
    wrong = problem.model_copy(update={"kind": "fine_quota"})
    refusal = given(decider, received(), accepted).when(substantiate(wrong)).then_refused(Invalid)
    assert refusal.field == "problems.0.kind"


def test_verify_rejected_tip_is_refused() -> None:
    given(decider, received(), rejected).when(substantiate(problem)).then_refused(
        Conflict, "rejected"
    )


def test_verify_before_acceptance_is_refused() -> None:
    given(decider, received()).when(substantiate(problem)).then_refused(Conflict)


def test_verify_by_agency_staff_is_forbidden() -> None:
    given(decider, received(), accepted).when(substantiate(problem, actor=agency)).then_refused(
        Forbidden
    )


def test_unsubstantiate_with_reason() -> None:
    unsubstantiate = UnsubstantiateTip(officer, "查无实据", LATER, sealed_reason=NOTE)
    given(decider, received(), assigned).when(unsubstantiate).then(
        TipUnsubstantiated(tip_id=TIP, sealed_reason=NOTE, unsubstantiated_at=LATER)
    )


def test_unsubstantiate_needs_a_reason() -> None:
    given(decider, received(), assigned).when(UnsubstantiateTip(officer, "", LATER)).then_refused(
        Invalid
    )


def test_substantiate_twice_is_refused() -> None:
    done = TipSubstantiated(
        tip_id=TIP,
        sealed_findings=NOTE,
        problems=(problem,),
        backing_tip_ids=(TIP,),
        phase=PhaseCode.finding,
        substantiated_at=LATER,
    )
    given(decider, received(), accepted, done).when(substantiate(problem)).then_refused(Conflict)
    given(decider, received(), accepted, done).when(
        UnsubstantiateTip(officer, "r", LATER)
    ).then_refused(Conflict)


# -- contact ---------------------------------------------------------------------------


def test_decrypting_contact_is_recorded() -> None:
    given(decider, received("aesgcm1:xx")).when(DecryptContact(legal, "回访", LATER)).then(
        ContactDecrypted(
            tip_id=TIP,
            decrypted_by=legal.as_extension(),
            read_by="l",
            purpose="回访",
            decrypted_at=LATER,
        )
    )


def test_anonymous_tip_has_no_contact_to_decrypt() -> None:
    given(decider, received()).when(DecryptContact(officer, "回访", LATER)).then_refused(
        Conflict, "anonymous"
    )


def test_contact_needs_a_purpose_and_the_right_role_and_region() -> None:
    scenario = given(decider, received("aesgcm1:xx"))
    scenario.when(DecryptContact(officer, " ", LATER)).then_refused(Invalid)
    scenario.when(DecryptContact(agency, "x", LATER)).then_refused(Forbidden)
    scenario.when(DecryptContact(other_county, "x", LATER)).then_refused(NotFound)


def test_erasing_contact_is_recorded_once_and_ends_decryption() -> None:
    from services.intake.domain.commands import EraseContact
    from shared.events.intake import ContactErased

    erased = ContactErased(
        tip_id=TIP, erased_by=legal.as_extension(), reason="举报人申请", erased_at=LATER
    )
    given(decider, received("aesgcm1:xx")).when(EraseContact(legal, "举报人申请", LATER)).then(
        erased
    )
    scenario = given(decider, received("aesgcm1:xx"), erased)
    scenario.when(EraseContact(legal, "again", LATER)).then_refused(Conflict, "already erased")
    scenario.when(DecryptContact(legal, "回访", LATER)).then_refused(Conflict, "erased")
    given(decider, received("aesgcm1:xx")).when(EraseContact(officer, "r", LATER)).then_refused(
        Forbidden
    )


def test_an_anonymous_tipster_is_erased_too() -> None:
    from services.intake.domain.commands import EraseContact
    from shared.events.intake import ContactErased

    given(decider, received()).when(EraseContact(legal, "举报人申请", LATER)).then(
        ContactErased(
            tip_id=TIP, erased_by=legal.as_extension(), reason="举报人申请", erased_at=LATER
        )
    )


# -- the tip's words -------------------------------------------------------------------


def test_the_tip_received_carries_the_words_sealed_only() -> None:
    attachment = Attachment(file_name="张三的罚单.jpg", media_type="image/jpeg", size_bytes=9)
    events = given(decider).when(receive(attachments=(attachment,))).decided()
    event = events[0]
    assert isinstance(event, TipReceived)
    assert event.sealed_text == WORDS
    assert event.description == "" and event.agency_text == ""
    assert [a.file_name for a in event.attachments] == [""]
    assert "罚款" not in event.model_dump_json() and "张三" not in event.model_dump_json()


def test_words_that_were_not_sealed_are_refused() -> None:
    given(decider).when(receive(sealed_text="")).then_refused(Invalid, "sealed")
    scenario = given(decider, received())
    scenario.when(AcceptTip(officer, LATER, LATER, note="电话核实")).then_refused(Invalid, "note")
    scenario.when(RejectTip(officer, "不属实", LATER)).then_refused(Invalid, "reason")
    accepted_tip = given(decider, received(), accepted)
    unsealed = substantiate(problem)
    accepted_tip.when(replace(unsealed, sealed_findings="")).then_refused(Invalid, "findings")


def test_reading_the_words_is_recorded_with_the_person_office_region_and_purpose() -> None:
    given(decider, received()).when(DecryptText(legal, "核查线索", LATER)).then(
        TipTextDecrypted(
            tip_id=TIP,
            read_by="l",
            office="lo-360102",
            role="legal_office",
            region_code=DONGHU,
            purpose="核查线索",
            decrypted_at=LATER,
        )
    )


def test_the_words_are_for_the_readers_of_sealed_text_in_the_access_policy() -> None:
    scenario = given(decider, received())
    scenario.when(DecryptText(agency, "x", LATER)).then_refused(Forbidden)
    for role in (Role.auditor, Role.admin):
        reader = legal.model_copy(update={"role": role})
        scenario.when(DecryptText(reader, "x", LATER)).then_refused(Forbidden)
    liaison = legal.model_copy(update={"role": Role.discipline_liaison})
    assert scenario.when(DecryptText(liaison, "x", LATER)).decided()
    scenario.when(DecryptText(other_county, "x", LATER)).then_refused(NotFound)
    scenario.when(DecryptText(officer, " ", LATER)).then_refused(Invalid)
    assert scenario.when(DecryptText(city_officer, "x", LATER)).decided()


def test_after_erasure_the_words_are_refused_with_a_clear_answer() -> None:
    from shared.events.intake import ContactErased

    erased = ContactErased(tip_id=TIP, erased_by=legal.as_extension(), reason="r", erased_at=LATER)
    refusal = (
        given(decider, received(), erased)
        .when(DecryptText(legal, "x", LATER))
        .then_refused(Conflict, "erased")
    )
    assert refusal.code == "erased" and "删除" in refusal.zh
