"""Every case handler without a broker: opening on problems within the region,
referrals and their acknowledgement, exposure (and the public's list), accountability,
the lists, and the refusals (bilingual, naming the field)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.rectification.application import cases
from services.rectification.domain.cases.state import CaseState
from services.rectification.domain.redaction import REDACTED
from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.directory import CampaignRules
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseKind,
    ReferralBody,
)
from tests.rectification.factories import (
    AGENCY,
    CITY,
    REGION,
    campaign,
    fresh,
    liaison,
    office,
    staff,
)
from tests.rectification.harnessed import (
    A_CASE,
    Harness,
    found_problem,
    last,
    opened_case,
    referred,
    register_campaign,
)


async def impose(h: Harness, case_id: str, **changes: Any) -> CaseState:
    """An admonishment of an individual who ignored a case, but for ``changes``."""
    decision = {
        "target": AccountabilityTarget.individual,
        "target_ref": "staff-0107",
        "grounds": (AccountabilityGround.ignored_case,),
        "measure": AccountabilityMeasure.admonishment,
        **changes,
    }
    return await cases.impose_accountability(h.app, liaison(), case_id, **decision)


async def test_a_case_is_opened_on_problems_of_the_region(h: Harness) -> None:
    case = await opened_case(h)
    assert h.published_names()[-1] == "CaseOpened"
    opened_event = last(h)
    assert opened_event.subject == case.case_id and case.case_id.startswith("case-")
    assert opened_event.regioncode == CITY and opened_event.data["agency_ids"] == [AGENCY]
    assert case.region_code == CITY and case.agency_ids == (AGENCY,)
    assert cases.get_case(h.app, office(), case.case_id) == case


async def test_a_problem_outside_the_region_is_answered_as_unknown(h: Harness) -> None:
    elsewhere = await found_problem(h, region_code="360702", agency_id="agency-360702")
    for problem_id in (elsewhere, "prb-nobody"):
        with pytest.raises(Invalid) as refused:
            await cases.open_case(h.app, liaison(), **A_CASE, problem_ids=[problem_id])
        assert refused.value.field == "problem_ids.0"
        assert refused.value.zh and refused.value.en
    assert "CaseOpened" not in h.published_names()


async def test_agency_staff_open_no_case_and_an_office_only_in_its_region(h: Harness) -> None:
    with pytest.raises(Forbidden):
        await opened_case(h, staff())
    with pytest.raises(Forbidden) as outside:
        await cases.open_case(
            h.app, office(REGION), **A_CASE, problem_ids=["prb-1"], region_code=CITY
        )
    assert outside.value.code == "region_not_allowed"


async def test_a_case_another_region_may_not_see_is_answered_as_unknown(h: Harness) -> None:
    case = await opened_case(h)
    with pytest.raises(NotFound) as hidden:
        cases.get_case(h.app, liaison("360700"), case.case_id)
    assert hidden.value.field == "case_id"
    with pytest.raises(Forbidden):
        cases.get_case(h.app, staff(), case.case_id)


async def test_a_referral_takes_the_campaigns_acknowledgement_days(h: Harness) -> None:
    campaign_id = fresh("campaign-")
    rules = CampaignRules(referral_ack_days=5)
    await register_campaign(h, campaign(campaign_id, rules, date(2016, 9, 1), date(2017, 1, 31)))
    case = await opened_case(h, campaign_id=campaign_id)
    (referral,) = (await referred(h, case.case_id)).referrals
    assert h.published_names()[-1] == "CaseReferred"
    assert last(h).data["acknowledge_by"] == "2016-09-10"  # 5 days from 5 September
    assert referral.referral_id.startswith("ref-")
    with pytest.raises(Conflict) as again:
        await referred(h, case.case_id, reason="r")
    assert again.value.code == "referral_pending"


async def test_a_referral_is_acknowledged_once(h: Harness) -> None:
    case = await opened_case(h)
    to_discipline = await referred(
        h,
        case.case_id,
        body=ReferralBody.discipline_inspection,
        receiving_body="南昌市纪委监委",
        reason="涉嫌违纪",
        acknowledge_by=date(2016, 9, 30),
    )
    referral_id = to_discipline.referrals[0].referral_id
    acknowledged = await cases.acknowledge(
        h.app, liaison(), case.case_id, referral_id, reference_no="洪纪〔2016〕12号"
    )
    assert acknowledged.referrals[0].reference_no == "洪纪〔2016〕12号"
    assert h.published_names()[-1] == "ReferralAcknowledged"
    with pytest.raises(Conflict) as twice:
        await cases.acknowledge(h.app, liaison(), case.case_id, referral_id)
    assert twice.value.code == "already_acknowledged"
    with pytest.raises(NotFound) as unknown:
        await cases.acknowledge(h.app, liaison(), case.case_id, "ref-nobody")
    assert unknown.value.field == "referral_id"


async def test_an_exposed_case_is_masked_and_listed_for_the_public(h: Harness) -> None:
    case = await opened_case(h)
    assert cases.exposed_cases(h.app, "360000") == (0, [])
    with pytest.raises(Forbidden):
        await cases.expose(h.app, liaison(), case.case_id, headline="h", summary="s", channel="c")
    exposed = await cases.expose(
        h.app,
        office(),
        case.case_id,
        headline="某局有案不查",
        summary="举报人电话 138 0013 8000 未获答复",
        channel="江西法制网",
    )
    assert exposed.exposure is not None and REDACTED in exposed.exposure.redacted_summary
    assert "138" not in last(h).data["redacted_summary"]
    total, public = cases.exposed_cases(h.app, "360000")
    assert total == 1 and public[0].case_id == case.case_id
    assert cases.exposed_cases(h.app, "360700") == (0, [])
    with pytest.raises(Conflict) as twice:
        await cases.expose(h.app, office(), case.case_id, headline="h", summary="s", channel="c")
    assert twice.value.code == "already_exposed"


async def test_accountability_is_imposed_once_per_target_and_measure(h: Harness) -> None:
    case = await opened_case(h)
    decided = await impose(h, case.case_id)
    assert h.published_names()[-1] == "AccountabilityImposed"
    assert decided.decisions[0].decision_id.startswith("acc-")
    assert last(h).data["decided_by"] == "discipline-360100"
    with pytest.raises(Conflict) as again:
        await impose(h, case.case_id, grounds=(AccountabilityGround.concealed_case,))
    assert again.value.code == "already_decided"
    with pytest.raises(Invalid) as no_grounds:
        await impose(
            h,
            case.case_id,
            target=AccountabilityTarget.unit,
            target_ref=AGENCY,
            grounds=(),
            measure=AccountabilityMeasure.criticism,
        )
    assert no_grounds.value.field == "grounds"


async def test_cases_are_listed_by_region_and_kind(h: Harness) -> None:
    first = await opened_case(h)
    await opened_case(h, liaison("360700"), region_code="360702", agency_id="agency-360702")
    assert cases.list_cases(h.app, office()) == (1, [first])
    total, _ = cases.list_cases(h.app, office("360000"))
    assert total == 2
    assert cases.list_cases(h.app, office("360000"), kind=CaseKind.misconduct) == (0, [])
    auditor = Actor(subject="a", role=Role.auditor, organisation="audit", region_code="360000")
    assert cases.list_cases(h.app, auditor, region_code=CITY) == (1, [first])
    with pytest.raises(Forbidden):
        cases.list_cases(h.app, staff())
    with pytest.raises(Forbidden):
        cases.list_cases(h.app, office(REGION), region_code=CITY)
