"""Every item handler and the intake policy, without a broker: the events published,
the state they leave, and the refusals (bilingual, naming the field)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from services.rectification import policies
from services.rectification.application import items
from services.rectification.application.items import ItemFilters
from services.rectification.domain.items.state import ItemStatus
from shared.actors import Actor, Role
from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from shared.events.directory import CampaignRules
from shared.events.intake import ProblemFound, TipEscalated, TipStage
from shared.events.rectification import PLACEHOLDER_RESPONSIBLE_PERSON, EvidenceRef
from shared.topics import INTAKE
from tests.rectification.factories import (
    AGENCY,
    CITY,
    REGION,
    campaign,
    fresh,
    office,
    problem,
    staff,
)
from tests.rectification.harnessed import (
    NOW,
    Harness,
    found,
    item,
    last,
    on_the_log,
    register_agency,
    register_campaign,
)

OTHER_AGENCY = "agency-360102-market"


def refused_in_both_languages(error: pytest.ExceptionInfo[Exception]) -> None:
    refusal = error.value
    assert refusal.zh and refusal.en  # type: ignore[attr-defined]


# -- the policy -----------------------------------------------------------------------


async def test_a_problem_found_opens_one_item_on_the_2016_plan_while_the_campaign_is_unknown(
    h: Harness,
) -> None:
    item_id = await found(h)
    assert h.published_names() == ["RectificationOpened"]
    opened = last(h)
    delivered = h.log.events(INTAKE)[-1]
    assert opened.subject == item_id and opened.actor == "system:rectification:"
    assert opened.causationid == delivered.id and opened.correlationid == delivered.id
    assert opened.data["responsible_person"] == PLACEHOLDER_RESPONSIBLE_PERSON
    assert opened.data["campaign_rules_known"] is False
    assert opened.data["due_on"] == "2016-10-05"  # 30 days for a high severity problem
    assert item(h, item_id).status is ItemStatus.open


async def test_a_known_campaign_gives_its_own_days(h: Harness) -> None:
    campaign_id = fresh("campaign-")
    rules = CampaignRules(rectification_days_high=10)
    await register_campaign(h, campaign(campaign_id, rules, date(2016, 9, 1), date(2017, 1, 31)))
    await found(h, campaign_id=campaign_id)
    assert last(h).data["campaign_rules_known"] is True
    assert last(h).data["due_on"] == "2016-09-15"


async def test_a_redelivered_problem_opens_nothing_more(h: Harness) -> None:
    once = problem(found_at=NOW)
    await found(h, once)
    await found(h, once)
    assert h.published_names() == ["RectificationOpened"]
    (received,) = h.log.received(INTAKE)[1:]
    assert await policies.on_intake_event(h.app, received) is False


async def test_other_intake_events_are_ignored(h: Harness) -> None:
    escalated = TipEscalated(
        tip_id="tip-1",
        stage=TipStage.triage,
        due_at=NOW,
        from_region_code=REGION,
        to_region_code=CITY,
        escalated_at=NOW,
    )
    await h.deliver_events(INTAKE, [escalated], subject="tip-1", source="/intake")
    assert h.published_names() == []
    (received,) = h.log.received(INTAKE)
    assert await policies.on_intake_event(h.app, received) is False


async def test_a_broker_that_does_not_answer_is_tried_again(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def the_broker_comes_back(seconds: float) -> None:
        waits.append(seconds)
        h.log.failing = None

    monkeypatch.setattr(asyncio, "sleep", the_broker_comes_back)
    received = on_the_log(h, problem(found_at=NOW))
    h.log.failing = Unavailable("消息服务不可用", "the broker did not answer")
    assert await policies.on_intake_event(h.app, received) is True
    assert waits == [1]
    assert h.published_names() == ["RectificationOpened"]


async def test_a_broker_that_stays_away_fails_the_delivery(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", wait)
    received = on_the_log(h, problem(found_at=NOW))
    h.log.failing = Unavailable("消息服务不可用", "the broker did not answer")
    with pytest.raises(Unavailable):
        await policies.on_intake_event(h.app, received)
    assert waits == [1, 2, 3, 4]


# -- reading --------------------------------------------------------------------------


async def test_an_item_is_read_by_its_agency_with_the_directorys_name(h: Harness) -> None:
    await register_agency(h, name="南昌市东湖区城市管理局")
    item_id = await found(h)
    read = items.get_item(h.app, staff(), item_id)
    assert read.item.item_id == item_id and read.agency_name == "南昌市东湖区城市管理局"
    assert items.get_item(h.app, office(), item_id).item.item_id == item_id


async def test_an_item_another_agency_may_not_see_is_answered_as_unknown(h: Harness) -> None:
    item_id = await found(h)
    with pytest.raises(NotFound) as hidden:
        items.get_item(h.app, staff(OTHER_AGENCY), item_id)
    with pytest.raises(NotFound) as unknown:
        items.get_item(h.app, staff(), "rect-prb-nobody")
    assert hidden.value.as_detail() == unknown.value.as_detail()
    assert hidden.value.field == "item_id"
    refused_in_both_languages(hidden)


async def test_a_role_that_never_reads_items_is_refused_whatever_the_id(h: Harness) -> None:
    intake = Actor(
        subject="i", role=Role.intake_officer, organisation="office-360100", region_code=CITY
    )
    with pytest.raises(Forbidden):
        items.get_item(h.app, intake, "rect-prb-nobody")


async def test_lists_per_agency_and_region_filter_and_page(h: Harness) -> None:
    ours = [await found(h) for _ in range(3)]
    theirs = await found(h, agency_id=OTHER_AGENCY)
    elsewhere = await found(h, region_code="360702", agency_id="agency-360702-urban")
    total, page = items.list_items(h.app, staff(), ItemFilters(limit=2))
    assert total == 3 and len(page) == 2
    assert {n.item.item_id for n in page} <= set(ours)

    total, page = items.list_items(h.app, office(), ItemFilters())
    assert total == 4 and elsewhere not in {n.item.item_id for n in page}
    total, page = items.list_agency_items(h.app, office(), OTHER_AGENCY, ItemFilters())
    assert [n.item.item_id for n in page] == [theirs]
    total, page = items.list_region_items(h.app, office("360000"), "360702", ItemFilters())
    assert [n.item.item_id for n in page] == [elsewhere]
    total, _ = items.list_items(h.app, office(), ItemFilters(status=[ItemStatus.verified]))
    assert total == 0


async def test_agency_staff_list_only_their_own_agency(h: Harness) -> None:
    with pytest.raises(Forbidden) as refused:
        items.list_items(h.app, staff(), ItemFilters(), agency_id=OTHER_AGENCY)
    assert refused.value.code == "agency_not_allowed"
    with pytest.raises(Forbidden):
        items.list_agency_items(h.app, staff(), OTHER_AGENCY, ItemFilters())


async def test_an_office_lists_only_its_region_and_below(h: Harness) -> None:
    with pytest.raises(Forbidden) as refused:
        items.list_region_items(h.app, office(REGION), CITY, ItemFilters())
    assert refused.value.code == "region_not_allowed"
    with pytest.raises(Forbidden):
        items.list_items(h.app, office(), ItemFilters(), region_code="360702")


# -- acting ---------------------------------------------------------------------------


async def test_the_person_responsible_is_named(h: Harness) -> None:
    item_id = await found(h)
    named = await items.name_person(h.app, staff(), item_id, "  副局长（工号 0107）  ")
    assert h.published_names()[-1] == "ResponsiblePersonNamed"
    assert last(h).data["responsible_person"] == "副局长（工号 0107）"
    assert named.item.responsible_person == "副局长（工号 0107）"
    await items.name_person(h.app, office(), item_id, "局长")
    with pytest.raises(Invalid) as empty:
        await items.name_person(h.app, staff(), item_id, "  ")
    assert empty.value.field == "responsible_person"
    refused_in_both_languages(empty)


async def test_progress_completion_and_verification(h: Harness) -> None:
    item_id = await found(h)
    evidence = (EvidenceRef(title="整改通知", media_type="application/pdf", location="doc-1"),)
    progressed = await items.report_progress(h.app, staff(), item_id, "已约谈", 40, evidence)
    assert progressed.item.status is ItemStatus.in_progress and progressed.item.percent == 40
    assert last(h).data["evidence"][0]["location"] == "doc-1"
    completed = await items.complete(h.app, staff(), item_id, "退还罚款，修订制度")
    assert completed.item.status is ItemStatus.completed
    verified = await items.verify(h.app, office(), item_id, "材料齐全")
    assert verified.item.status is ItemStatus.verified
    assert h.published_names()[1:] == [
        "RectificationProgressReported",
        "RectificationCompleted",
        "RectificationVerified",
    ]
    assert last(h).data["office"] == "office-360100" and last(h).actor.startswith("legal_office")


async def test_only_the_agency_reports_and_only_an_office_verifies(h: Harness) -> None:
    item_id = await found(h)
    with pytest.raises(Forbidden):
        await items.report_progress(h.app, office(), item_id, "n", 10)
    with pytest.raises(NotFound):
        await items.complete(h.app, staff(OTHER_AGENCY), item_id, "m")
    with pytest.raises(Invalid) as no_note:
        await items.report_progress(h.app, staff(), item_id, " ", 10)
    assert no_note.value.field == "note"
    with pytest.raises(Conflict) as early:
        await items.verify(h.app, office(), item_id)
    assert early.value.code == "illegal_transition"
    refused_in_both_languages(early)
    with pytest.raises(Forbidden):
        await items.verify(h.app, staff(), item_id)
    assert h.published_names() == ["RectificationOpened"]


async def test_a_completed_item_is_returned_with_reasons(h: Harness) -> None:
    item_id = await found(h)
    await items.complete(h.app, staff(), item_id, "m")
    with pytest.raises(Invalid) as no_reason:
        await items.return_item(h.app, office(), item_id, "")
    assert no_reason.value.field == "reasons"
    returned = await items.return_item(h.app, office(), item_id, "证据不足")
    assert returned.item.status is ItemStatus.returned
    assert returned.item.return_reasons == "证据不足"
    assert h.published_names()[-1] == "RectificationReturned"


async def test_an_extension_is_requested_then_approved(h: Harness) -> None:
    item_id = await found(h)
    with pytest.raises(Invalid) as earlier:
        await items.request_extension(h.app, staff(), item_id, date(2016, 10, 1), "r")
    assert earlier.value.field == "due_on"
    asked = await items.request_extension(h.app, staff(), item_id, date(2016, 11, 5), "需听证")
    assert asked.item.pending_extension is not None
    assert last(h).data["requested_due_on"] == "2016-11-05"
    with pytest.raises(Conflict) as twice:
        await items.request_extension(h.app, staff(), item_id, date(2016, 11, 6), "r")
    assert twice.value.code == "extension_pending"
    with pytest.raises(Forbidden):
        await items.approve_extension(h.app, staff(), item_id)
    approved = await items.approve_extension(h.app, office(), item_id)
    assert approved.item.due_on == date(2016, 11, 5) and approved.item.extensions == 1
    assert h.published_names()[-1] == "RectificationExtended"
    assert last(h).data["previous_due_on"] == "2016-10-05"


async def test_an_extension_is_declined_with_reasons(h: Harness) -> None:
    item_id = await found(h)
    with pytest.raises(Conflict) as nothing_asked:
        await items.decline_extension(h.app, office(), item_id, "不予延期")
    assert nothing_asked.value.code == "no_request"
    await items.request_extension(h.app, staff(), item_id, date(2016, 11, 5), "需听证")
    with pytest.raises(Invalid) as no_reason:
        await items.decline_extension(h.app, office(), item_id, " ")
    assert no_reason.value.field == "reasons"
    declined = await items.decline_extension(h.app, office(), item_id, "理由不充分")
    assert declined.item.pending_extension is None and declined.item.due_on == date(2016, 10, 5)
    assert h.published_names()[-1] == "RectificationExtensionDeclined"


async def test_a_problem_of_a_campaign_is_opened_from_its_event_alone(h: Harness) -> None:
    """The item needs nothing but the event: the problem's own fields travel into it."""
    found_problem: ProblemFound = problem(found_at=NOW, agency_id=AGENCY)
    item_id = await found(h, found_problem)
    state = item(h, item_id)
    assert (state.problem_id, state.agency_id, state.region_code) == (
        found_problem.problem_id,
        AGENCY,
        REGION,
    )
    assert state.summary == found_problem.summary
