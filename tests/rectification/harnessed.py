"""The rectification service without a broker (``shared.kernel.harness``): the same
application code on the in-memory event log, and the steps most tests begin with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.rectification.application import RectificationApp, cases
from services.rectification.application.app import ITEM
from services.rectification.domain.cases.state import CaseState
from services.rectification.domain.items.state import ITEM_PREFIX, ItemState, item_id_for
from shared.actors import Actor
from shared.envelope import CloudEvent
from shared.events.directory import AgencyRegistered, CampaignRecord, CampaignRegistered
from shared.events.intake import ProblemFound
from shared.events.rectification import CaseKind, CaseOrigin, ReferralBody
from shared.eventstore import CommandContext
from shared.kafka.consumer import Received
from shared.kernel.harness import ServiceHarness
from shared.topics import DIRECTORY, INTAKE
from tests.rectification.factories import AGENCY, agency_record, liaison, problem

NOW = datetime(2016, 9, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, in the rectification phase

Harness = ServiceHarness[RectificationApp]


async def found(h: Harness, found_problem: ProblemFound | None = None, /, **changes: Any) -> str:
    """Deliver a ``ProblemFound`` (a new one unless given) as intake emits it; its item id."""
    found_problem = found_problem or problem(found_at=NOW, **changes)
    await h.deliver_events(
        INTAKE, [found_problem], subject=found_problem.problem_id, source="/intake"
    )
    return item_id_for(found_problem.problem_id)


async def found_problem(h: Harness, **changes: Any) -> str:
    """As ``found``: the problem's id."""
    return (await found(h, **changes)).removeprefix(ITEM_PREFIX)


# What a case is opened with in most tests, and what it is referred with.
A_CASE: dict[str, Any] = {
    "kind": CaseKind.dereliction_of_duty,
    "origin": CaseOrigin.tip,
    "title": "有案不查",
    "summary": "接到举报后未立案调查",
}
A_REFERRAL: dict[str, Any] = {
    "body": ReferralBody.procuratorate,
    "receiving_body": "南昌市人民检察院",
    "reason": "涉嫌玩忽职守",
}


async def opened_case(h: Harness, actor: Actor | None = None, **changes: Any) -> CaseState:
    """``A_CASE`` on a problem just found (``changes`` to the problem), opened by the
    city's discipline liaison unless ``actor``."""
    problem_id = await found_problem(h, **changes)
    return await cases.open_case(h.app, actor or liaison(), **A_CASE, problem_ids=[problem_id])


async def referred(
    h: Harness, case_id: str, actor: Actor | None = None, **changes: Any
) -> CaseState:
    """The case referred as ``A_REFERRAL`` but for ``changes``, by the city's
    discipline liaison unless ``actor``."""
    return await cases.refer(h.app, actor or liaison(), case_id, **{**A_REFERRAL, **changes})


def on_the_log(h: Harness, found_problem: ProblemFound) -> Received:
    """``found_problem`` on intake's topic, read back as the consumer reads it, but not
    yet handed to the service."""
    envelope = h.app.store.envelope(
        found_problem.problem_id, 1, found_problem, CommandContext(actor="system:intake:")
    )
    h.log.publish(INTAKE, [envelope.model_copy(update={"source": "/intake"})])
    return h.log.received(INTAKE)[-1]


async def register_campaign(h: Harness, record: CampaignRecord) -> list[CloudEvent]:
    return await h.deliver_events(
        DIRECTORY, [CampaignRegistered(campaign=record)], record.campaign_id, "/directory"
    )


async def register_agency(h: Harness, agency_id: str = AGENCY, name: str = "东湖区城管局") -> None:
    record = agency_record(agency_id, name)
    await h.deliver_events(DIRECTORY, [AgencyRegistered(agency=record)], agency_id, "/directory")


def item(h: Harness, item_id: str) -> ItemState:
    state: ItemState = h.app.store.require(ITEM, item_id).state
    return state


def last(h: Harness) -> CloudEvent:
    """The last event the service published."""
    return h.published()[-1]
