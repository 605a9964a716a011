"""Intake without a broker: its application on the kernel's in-memory event log
(``shared.kernel.harness``), the test world's directory delivered, a simulated clock
at ``START`` (the finding phase)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from services.intake.application import IntakeApp
from services.intake.application.submission import NewTip, submit
from services.intake.bootstrap import DEFINITION
from shared.actors import Actor, Role
from shared.clock import SimulatedClock
from shared.envelope import CloudEvent
from shared.events.intake import TipChannel
from shared.kernel.harness import ServiceHarness, harness
from shared.settings import Settings
from shared.topics import DIRECTORY

from .helpers import START, World, world_envelopes


def actor(role: Role, region: str = "360102", organisation: str = "") -> Actor:
    return Actor(
        subject=f"{role.value}@{region}",
        role=role,
        organisation=organisation or f"office-{region}",
        region_code=region,
    )


# The test world's intake officer and legal office in 东湖区.
OFFICER = actor(Role.intake_officer, "360102")
LEGAL = actor(Role.legal_office, "360102")


def short(event_type: str) -> str:
    """``cn.gov….intake.TipReceived.v1`` -> ``TipReceived``."""
    return event_type.rsplit(".", 2)[-2]


@dataclass
class Desk:
    h: ServiceHarness[IntakeApp]
    clock: SimulatedClock
    world: World

    @classmethod
    async def open(cls, settings: Settings, start: datetime = START) -> Desk:
        clock = SimulatedClock(start)
        h = harness(DEFINITION, settings, clock)
        world, envelopes = world_envelopes()
        await h.deliver(DIRECTORY, envelopes)
        return cls(h, clock, world)

    @property
    def app(self) -> IntakeApp:
        return self.h.app

    def types(self) -> list[str]:
        """The class names of every event intake published, in order."""
        return self.h.published_names()

    def events(self, name: str) -> list[CloudEvent]:
        return [e for e in self.h.published() if short(e.type) == name]

    def last(self, name: str) -> dict[str, Any]:
        """The payload of the last ``name`` event published."""
        return self.events(name)[-1].data

    def new_tip(self, **overrides: Any) -> NewTip:
        tip = NewTip(
            campaign_id=self.world.campaign_id,
            channel=TipChannel.hotline,
            region_code="360102",
            description="城管执法人员罚款后不开具票据",
            occurred_on=date(2016, 7, 10),
            agency_id=self.world.agency_id,
        )
        return replace(tip, **overrides)

    async def tip(self, **overrides: Any) -> str:
        """A public tip's id (``contact`` for one that is not anonymous)."""
        submitted = await submit(self.app, self.new_tip(**overrides), actor=None, client="tests")
        return submitted.tip_id
