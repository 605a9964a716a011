"""The rectification service without a broker (``shared.kernel.harness``): the same
application code on the in-memory event log, and the steps most tests begin with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.rectification.application import RectificationApp
from services.rectification.application.app import ITEM
from services.rectification.domain.items.state import ItemState, item_id_for
from shared.envelope import CloudEvent
from shared.events.directory import (
    AgencyRecord,
    AgencyRegistered,
    CampaignRecord,
    CampaignRegistered,
)
from shared.events.intake import ProblemFound
from shared.eventstore import CommandContext
from shared.kafka.consumer import Received
from shared.kernel.harness import ServiceHarness
from shared.topics import DIRECTORY, INTAKE
from shared.vocabulary import AdminLevel, Power, Sector
from tests.rectification.factories import AGENCY, REGION, problem

NOW = datetime(2016, 9, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, in the rectification phase

Harness = ServiceHarness[RectificationApp]


async def found(h: Harness, found_problem: ProblemFound | None = None, /, **changes: Any) -> str:
    """Deliver a ``ProblemFound`` (a new one unless given) as intake emits it; its item id."""
    found_problem = found_problem or problem(found_at=NOW, **changes)
    await h.deliver_events(
        INTAKE, [found_problem], subject=found_problem.problem_id, source="/intake"
    )
    return item_id_for(found_problem.problem_id)


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
    record = AgencyRecord(
        agency_id=agency_id,
        name=name,
        region_code=REGION,
        level=AdminLevel.county,
        sector=Sector.urban_management,
        powers=(Power.penalty,),
    )
    await h.deliver_events(DIRECTORY, [AgencyRegistered(agency=record)], agency_id, "/directory")


def item(h: Harness, item_id: str) -> ItemState:
    state: ItemState = h.app.store.require(ITEM, item_id).state
    return state


def last(h: Harness) -> CloudEvent:
    """The last event the service published."""
    return h.published()[-1]
