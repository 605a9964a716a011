"""Every transition and refusal of a rectification item, with no broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.rectification.domain.calendar import initial_due_on
from services.rectification.domain.items.commands import (
    ApproveExtension,
    CheckDeadline,
    CompleteItem,
    DeclineExtension,
    NameResponsiblePerson,
    ReportProgress,
    RequestExtension,
    ReturnItem,
    VerifyItem,
)
from services.rectification.domain.items.state import ItemStatus
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.directory import CampaignRules
from shared.events.rectification import (
    PLACEHOLDER_RESPONSIBLE_PERSON,
    EvidenceRef,
    RectificationCompleted,
    RectificationExtended,
    RectificationExtensionDeclined,
    RectificationExtensionRequested,
    RectificationOpened,
    RectificationProgressReported,
    RectificationReturned,
    RectificationVerified,
    ResponsiblePersonNamed,
)
from shared.testing import given
from shared.vocabulary import Severity
from tests.rectification.factories import AGENCY, REGION, office, staff
from tests.rectification.item_history import (
    ITEM,
    NOW,
    completed,
    decider,
    open_command,
    opened,
)

# -- opening ------------------------------------------------------------------------


def test_a_problem_opens_one_item_with_unit_placeholder_person_and_deadline() -> None:
    event = opened()
    assert event.item_id == ITEM == "rect-prb-1"
    assert event.agency_id == AGENCY and event.region_code == REGION
    assert event.responsible_person == PLACEHOLDER_RESPONSIBLE_PERSON
    # found in the finding phase: 30 days (high) from the start of rectification
    assert event.due_on == date(2016, 10, 1)
    assert (event.due_lead_days, event.escalation_grace_days) == (7, 7)


@pytest.mark.parametrize(
    ("severity", "due_on"),
    [(Severity.low, date(2016, 10, 11)), (Severity.medium, date(2016, 9, 26))],
)
def test_the_deadline_follows_the_campaign_rules_by_severity(
    severity: Severity, due_on: date
) -> None:
    rules = CampaignRules(rectification_days_low=40, rectification_days_medium=25)
    event = given(decider).when(open_command(rules, severity=severity)).decided()[0]
    assert isinstance(event, RectificationOpened)
    assert event.due_on == due_on


def test_the_deadline_never_passes_the_end_of_the_rectification_phase() -> None:
    late = datetime(2017, 1, 20, tzinfo=UTC)
    event = given(decider).when(open_command(found_at=late)).decided()[0]
    assert isinstance(event, RectificationOpened)
    assert event.due_on == date(2017, 1, 31)


def test_a_problem_found_after_the_phase_gets_its_days_from_when_found() -> None:
    assert initial_due_on(date(2017, 2, 10), 30, date(2016, 9, 1), date(2017, 1, 31)) == date(
        2017, 3, 12
    )


def test_a_second_delivery_of_the_same_problem_is_refused() -> None:
    given(decider, opened()).when(open_command()).then_refused(Conflict, "already has")


def test_an_unopened_item_refuses_actions() -> None:
    given(decider).when(CompleteItem(staff(), "x", (), NOW)).then_refused(
        Conflict, "not been opened"
    )


# -- the agency's work --------------------------------------------------------------


def test_the_agency_names_the_responsible_person() -> None:
    given(decider, opened()).when(NameResponsiblePerson(staff(), "副局长（工号 A-17）", NOW)).then(
        ResponsiblePersonNamed(item_id=ITEM, responsible_person="副局长（工号 A-17）", named_at=NOW)
    )


def test_another_agency_may_not_name_the_person() -> None:
    given(decider, opened()).when(
        NameResponsiblePerson(staff("agency-other"), "x", NOW)
    ).then_refused(Forbidden, "own agency")


def test_progress_with_evidence_moves_the_item_in_progress() -> None:
    evidence = (EvidenceRef(title="退款凭证", media_type="application/pdf"),)
    scenario = given(decider, opened())
    scenario.when(ReportProgress(staff(), "已退还部分罚款", 40, evidence, NOW)).then(
        RectificationProgressReported(
            item_id=ITEM, note="已退还部分罚款", percent=40, evidence=evidence, reported_at=NOW
        )
    )
    progressed = given(
        decider,
        opened(),
        RectificationProgressReported(item_id=ITEM, note="n", percent=40, reported_at=NOW),
    ).state()
    assert progressed is not None
    assert (progressed.status, progressed.percent) == (ItemStatus.in_progress, 40)


def test_progress_needs_a_note() -> None:
    given(decider, opened()).when(ReportProgress(staff(), "  ", 10, (), NOW)).then_refused(
        Invalid, "note"
    )


def test_only_the_agencys_staff_report_progress() -> None:
    given(decider, opened()).when(ReportProgress(office(), "n", 10, (), NOW)).then_refused(
        Forbidden, "agency_staff"
    )


def test_completion_reports_the_measures() -> None:
    given(decider, opened()).when(CompleteItem(staff(), "退还罚款", (), NOW)).then(completed())


def test_completion_needs_measures() -> None:
    given(decider, opened()).when(CompleteItem(staff(), "", (), NOW)).then_refused(
        Invalid, "measures"
    )


def test_a_completed_item_cannot_be_completed_again_or_progressed() -> None:
    history = (opened(), completed())
    given(decider, *history).when(CompleteItem(staff(), "x", (), NOW)).then_refused(
        Conflict, "completed"
    )
    given(decider, *history).when(ReportProgress(staff(), "x", 5, (), NOW)).then_refused(
        Conflict, "completed"
    )


# -- the legal office's verification ----------------------------------------------------


def test_the_supervising_office_verifies_and_closes() -> None:
    given(decider, opened(), completed()).when(VerifyItem(office(), "现场核查属实", NOW)).then(
        RectificationVerified(
            item_id=ITEM, office="office-360100", note="现场核查属实", verified_at=NOW
        )
    )
    state = given(
        decider,
        opened(),
        completed(),
        RectificationVerified(item_id=ITEM, office="o", verified_at=NOW),
    ).state()
    assert state is not None and state.status is ItemStatus.verified


def test_an_office_of_another_region_may_not_verify() -> None:
    given(decider, opened(), completed()).when(VerifyItem(office("360200"), "", NOW)).then_refused(
        Forbidden, "360200"
    )


def test_the_provincial_office_may_verify_anywhere_below_it() -> None:
    events = (
        given(decider, opened(), completed()).when(VerifyItem(office("360000"), "", NOW)).decided()
    )
    assert isinstance(events[0], RectificationVerified)


def test_agency_staff_may_not_verify_their_own_fix() -> None:
    given(decider, opened(), completed()).when(VerifyItem(staff(), "", NOW)).then_refused(
        Forbidden, "legal_office"
    )


def test_an_unfinished_item_cannot_be_verified_or_returned() -> None:
    given(decider, opened()).when(VerifyItem(office(), "", NOW)).then_refused(Conflict, "open")
    given(decider, opened()).when(ReturnItem(office(), "r", NOW)).then_refused(Conflict, "open")


def test_a_verified_item_refuses_everything_further() -> None:
    history = (
        opened(),
        completed(),
        RectificationVerified(item_id=ITEM, office="o", verified_at=NOW),
    )
    given(decider, *history).when(VerifyItem(office(), "", NOW)).then_refused(Conflict, "verified")
    given(decider, *history).when(ReportProgress(staff(), "n", 5, (), NOW)).then_refused(
        Conflict, "已销号"
    )
    assert (
        given(decider, *history).when(CheckDeadline(at=NOW + timedelta(days=400))).decided() == []
    )


def test_the_office_returns_a_completion_with_reasons_and_work_resumes() -> None:
    returned = RectificationReturned(
        item_id=ITEM, office="office-360100", reasons="未退还全部罚款", returned_at=NOW
    )
    given(decider, opened(), completed()).when(ReturnItem(office(), "未退还全部罚款", NOW)).then(
        returned
    )
    given(decider, opened(), completed()).when(ReturnItem(office(), " ", NOW)).then_refused(
        Invalid, "reasons"
    )
    events = (
        given(decider, opened(), completed(), returned)
        .when(CompleteItem(staff(), "已全部退还", (), NOW))
        .decided()
    )
    assert isinstance(events[0], RectificationCompleted)


# -- extensions ---------------------------------------------------------------------


def requested(due_on: date = date(2017, 2, 28)) -> RectificationExtensionRequested:
    return RectificationExtensionRequested(
        item_id=ITEM, requested_due_on=due_on, reason="需上级审批", requested_at=NOW
    )


def test_the_agency_asks_for_an_extension_with_a_reason() -> None:
    given(decider, opened()).when(
        RequestExtension(staff(), date(2017, 2, 28), "需上级审批", NOW)
    ).then(requested())


def test_an_extension_needs_a_reason_and_a_later_date() -> None:
    given(decider, opened()).when(
        RequestExtension(staff(), date(2016, 11, 1), "", NOW)
    ).then_refused(Invalid, "reason")
    given(decider, opened()).when(
        RequestExtension(staff(), date(2016, 9, 20), "r", NOW)
    ).then_refused(Invalid, "due_on")


def test_a_second_request_waits_for_the_first() -> None:
    given(decider, opened(), requested()).when(
        RequestExtension(staff(), date(2017, 3, 1), "r", NOW)
    ).then_refused(Conflict, "already waiting")


def test_the_legal_office_approves_past_the_phase_end() -> None:
    given(decider, opened(), requested()).when(ApproveExtension(office(), NOW)).then(
        RectificationExtended(
            item_id=ITEM,
            previous_due_on=date(2016, 10, 1),
            due_on=date(2017, 2, 28),
            reason="需上级审批",
            office="office-360100",
            extended_at=NOW,
        )
    )


def test_agency_staff_cannot_approve_their_own_extension() -> None:
    given(decider, opened(), requested()).when(ApproveExtension(staff(), NOW)).then_refused(
        Forbidden, "legal_office"
    )


def test_nothing_to_approve_or_decline_without_a_request() -> None:
    given(decider, opened()).when(ApproveExtension(office(), NOW)).then_refused(
        Conflict, "no extension"
    )
    given(decider, opened()).when(DeclineExtension(office(), "r", NOW)).then_refused(
        Conflict, "no extension"
    )


def test_the_legal_office_declines_with_reasons() -> None:
    given(decider, opened(), requested()).when(DeclineExtension(office(), "理由不充分", NOW)).then(
        RectificationExtensionDeclined(
            item_id=ITEM, office="office-360100", reasons="理由不充分", declined_at=NOW
        )
    )
    state = given(
        decider,
        opened(),
        requested(),
        RectificationExtensionDeclined(item_id=ITEM, office="o", reasons="r", declined_at=NOW),
    ).state()
    assert state is not None and state.pending_extension is None
    assert state.due_on == date(2016, 10, 1)
