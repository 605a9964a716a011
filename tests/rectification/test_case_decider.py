"""Typical cases, referrals, exposure, accountability and regulations, with no broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.rectification.domain.cases.commands import (
    AcknowledgeReferral,
    CheckReferrals,
    ExposeCase,
    ImposeAccountability,
    OpenCase,
    ReferCase,
)
from services.rectification.domain.cases.decider import CaseDecider
from services.rectification.domain.redaction import REDACTED, redact
from services.rectification.domain.regulations import AdoptRegulation, RegulationDecider
from shared.actors import Actor
from shared.clock import BEIJING
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityImposed,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseExposed,
    CaseKind,
    CaseOpened,
    CaseOrigin,
    CaseReferred,
    ReferralAcknowledged,
    ReferralBody,
    ReferralOverdue,
    RegulationAdopted,
    RegulationKind,
)
from shared.testing import given
from tests.rectification.factories import AGENCY, CITY, REGION, liaison, office, staff

decider = CaseDecider()
NOW = datetime(2016, 10, 10, 2, 0, tzinfo=UTC)
CASE = "case-1"


def open_case(
    actor: Actor | None = None, region: str = CITY, problems: tuple[str, ...] = ("prb-1", "prb-2")
) -> OpenCase:
    return OpenCase(
        actor=actor or office(),
        case_id=CASE,
        campaign_id="c",
        region_code=region,
        kind=CaseKind.protective_umbrella,
        origin=CaseOrigin.unannounced_visit,
        title="某局领导干预执法",
        summary="该局副局长为无证经营者说情并阻止查处",
        problem_ids=problems,
        agency_ids=(AGENCY,),
        at=NOW,
    )


def opened() -> CaseOpened:
    event = given(decider).when(open_case()).decided()[0]
    assert isinstance(event, CaseOpened)
    return event


def refer(
    referral_id: str = "ref-1",
    body: ReferralBody = ReferralBody.discipline_inspection,
    acknowledge_by: date | None = None,
    actor: Actor | None = None,
) -> ReferCase:
    return ReferCase(
        actor=actor or liaison(),
        referral_id=referral_id,
        body=body,
        receiving_body="南昌市纪委监委",
        reason="涉嫌违纪",
        acknowledge_by=acknowledge_by,
        default_ack_days=15,
        at=NOW,
    )


def referred() -> CaseReferred:
    event = given(decider, opened()).when(refer()).decided()[0]
    assert isinstance(event, CaseReferred)
    return event


def test_a_legal_office_or_discipline_liaison_opens_a_case_from_problems() -> None:
    event = opened()
    assert event.problem_ids == ("prb-1", "prb-2") and event.opened_by == "office-360100"
    assert isinstance(given(decider).when(open_case(liaison())).decided()[0], CaseOpened)


def test_agency_staff_cannot_open_cases_nor_offices_outside_their_region() -> None:
    given(decider).when(open_case(staff())).then_refused(Forbidden, "legal_office")
    given(decider).when(open_case(office("360200"))).then_refused(Forbidden, "360100")


def test_a_case_needs_problems_and_opens_once() -> None:
    given(decider).when(open_case(problems=())).then_refused(Invalid, "problem_ids")
    given(decider, opened()).when(open_case()).then_refused(Conflict, "already open")


def test_a_referral_names_the_body_and_a_default_deadline() -> None:
    event = referred()
    assert event.receiving_body == "南昌市纪委监委"
    assert event.acknowledge_by == date(2016, 10, 25)


def test_a_referral_deadline_in_the_past_is_refused() -> None:
    given(decider, opened()).when(refer(acknowledge_by=date(2016, 9, 1))).then_refused(
        Invalid, "acknowledge_by"
    )


def test_a_second_pending_referral_to_one_body_is_refused_another_body_may_follow() -> None:
    given(decider, opened(), referred()).when(refer("ref-2")).then_refused(Conflict, "waiting")
    events = (
        given(decider, opened(), referred())
        .when(refer("ref-2", ReferralBody.procuratorate))
        .decided()
    )
    assert isinstance(events[0], CaseReferred) and events[0].body is ReferralBody.procuratorate


def test_referral_from_outside_the_region_is_refused() -> None:
    given(decider, opened()).when(refer(actor=liaison("360200"))).then_refused(Forbidden, "360200")


def test_acknowledgement_is_recorded_once() -> None:
    ack = AcknowledgeReferral(liaison(), "ref-1", "洪纪〔2016〕12号", "", NOW)
    given(decider, opened(), referred()).when(ack).then(
        ReferralAcknowledged(
            case_id=CASE, referral_id="ref-1", reference_no="洪纪〔2016〕12号", acknowledged_at=NOW
        )
    )
    done = ReferralAcknowledged(case_id=CASE, referral_id="ref-1", acknowledged_at=NOW)
    given(decider, opened(), referred(), done).when(ack).then_refused(Conflict, "already")
    given(decider, opened()).when(ack).then_refused(NotFound, "ref-1")


def test_an_unacknowledged_referral_is_flagged_once_after_its_deadline() -> None:
    before = datetime(2016, 10, 25, 23, tzinfo=BEIJING)
    after = before + timedelta(hours=1)
    assert given(decider, opened(), referred()).when(CheckReferrals(before)).decided() == []
    flagged = given(decider, opened(), referred()).when(CheckReferrals(after)).decided()
    assert flagged == [
        ReferralOverdue(
            case_id=CASE,
            referral_id="ref-1",
            receiving_body="南昌市纪委监委",
            acknowledge_by=date(2016, 10, 25),
            at=after,
        )
    ]
    later = after + timedelta(days=30)
    assert (
        given(decider, opened(), referred(), *flagged).when(CheckReferrals(later)).decided() == []
    )
    done = ReferralAcknowledged(case_id=CASE, referral_id="ref-1", acknowledged_at=NOW)
    assert given(decider, opened(), referred(), done).when(CheckReferrals(later)).decided() == []


def test_exposure_redacts_identifiers_and_happens_once() -> None:
    command = ExposeCase(
        office(),
        "典型案例通报",
        "当事人身份证36010219800101123X，电话13907911234",
        "江西法制网",
        NOW,
    )
    event = given(decider, opened()).when(command).decided()[0]
    assert isinstance(event, CaseExposed)
    assert "123X" not in event.redacted_summary and "13907911234" not in event.redacted_summary
    assert event.redacted_summary.count(REDACTED) == 2
    exposed = CaseExposed(
        case_id=CASE, headline="h", redacted_summary="s", channel="c", exposed_at=NOW
    )
    given(decider, opened(), exposed).when(command).then_refused(Conflict, "already been exposed")
    given(decider, opened()).when(ExposeCase(liaison(), "h", "s", "c", NOW)).then_refused(
        Forbidden, "legal_office"
    )


def test_redaction_keeps_ordinary_text() -> None:
    assert redact("罚款 500 元，文号 2016-12") == "罚款 500 元，文号 2016-12"
    assert redact("邮箱 a.b@example.cn 座机 0791-86261234") == f"邮箱 {REDACTED} 座机 {REDACTED}"


def impose(
    decision_id: str = "acc-1",
    target_ref: str = "unit-" + AGENCY,
    grounds: tuple[AccountabilityGround, ...] = (AccountabilityGround.suppressed_case,),
) -> ImposeAccountability:
    return ImposeAccountability(
        actor=liaison(),
        decision_id=decision_id,
        target=AccountabilityTarget.unit,
        target_ref=target_ref,
        grounds=grounds,
        measure=AccountabilityMeasure.criticism,
        note="压案不查",
        at=NOW,
    )


def test_accountability_against_a_unit_that_suppressed_a_case() -> None:
    event = given(decider, opened()).when(impose()).decided()[0]
    assert isinstance(event, AccountabilityImposed)
    assert event.grounds == (AccountabilityGround.suppressed_case,)
    given(decider, opened(), event).when(impose()).then_refused(Conflict, "acc-1")
    given(decider, opened(), event).when(impose("acc-2")).then_refused(Conflict, "criticism")
    given(decider, opened()).when(impose(grounds=())).then_refused(Invalid, "grounds")


def test_nothing_happens_to_an_unopened_case() -> None:
    given(decider).when(impose()).then_refused(Conflict, "not been opened")


# -- regulations -----------------------------------------------------------------------


def adopt(
    actor: Actor | None = None, agency_id: str = AGENCY, problems: tuple[str, ...] = ("prb-1",)
) -> AdoptRegulation:
    return AdoptRegulation(
        actor=actor or staff(),
        regulation_id="reg-1",
        campaign_id="c",
        region_code=REGION,
        agency_id=agency_id,
        kind=RegulationKind.internal_system,
        title="罚没款收缴管理办法",
        summary="",
        problem_ids=problems,
        adopted_on=date(2016, 11, 1),
        at=NOW,
    )


def test_a_regulation_is_recorded_against_its_problems_once() -> None:
    regulations = RegulationDecider()
    event = given(regulations).when(adopt()).decided()[0]
    assert isinstance(event, RegulationAdopted) and event.problem_ids == ("prb-1",)
    given(regulations, event).when(adopt()).then_refused(Conflict, "already recorded")
    given(regulations).when(adopt(problems=())).then_refused(Invalid, "problem_ids")
    given(regulations).when(adopt(agency_id="agency-x")).then_refused(Forbidden, "own agency")
    given(regulations).when(adopt(office("360200"))).then_refused(Forbidden, "360200")
    assert given(regulations).when(adopt(office())).decided()
