"""The service kernel on its in-memory port: a small service declared with every
part (a kind, a view, a policy, a timer, a router) runs through the harness, and
its process is assembled by ``build_service`` the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from shared.clock import SimulatedClock
from shared.envelope import CloudEvent
from shared.errors import Conflict
from shared.events.base import DomainEvent
from shared.events.directory import AgencyChanged, AgencyRecord, AgencyRegistered
from shared.eventstore import AggregateKind, CommandContext
from shared.kafka.consumer import Received
from shared.kernel import (
    Kernel,
    Policy,
    ServiceDefinition,
    Timer,
    View,
    application_dependency,
    build_service,
)
from shared.kernel.harness import harness
from shared.kernel.memory import InMemoryEventLog
from shared.kernel.process import _every
from shared.settings import Settings
from shared.vocabulary import AdminLevel, Power, Sector

OWN_TOPIC = "kernel-test.agencies"
OTHER_TOPIC = "kernel-test.directory"


def record(agency_id: str, name: str = "县市场监督管理局") -> AgencyRecord:
    return AgencyRecord(
        agency_id=agency_id,
        name=name,
        region_code="360102",
        level=AdminLevel.county,
        sector=Sector.land_expropriation,
        powers=(Power.penalty,),
    )


@dataclass(frozen=True)
class Register:
    agency: AgencyRecord


@dataclass(frozen=True)
class AgencyState:
    agency: AgencyRecord | None = None
    renamed: int = 0


class AgencyDecider:
    def initial_state(self) -> AgencyState:
        return AgencyState()

    def decide(self, command: Register, state: AgencyState) -> Sequence[DomainEvent]:
        if state.agency is None:
            return [AgencyRegistered(agency=command.agency)]
        if state.agency == command.agency:
            return []
        if state.renamed:
            raise Conflict("已改名一次", "renamed once already", field="name")
        return [AgencyChanged(agency=command.agency)]

    def evolve(self, state: AgencyState, event: DomainEvent) -> AgencyState:
        if isinstance(event, AgencyRegistered):
            return AgencyState(agency=event.agency)
        if isinstance(event, AgencyChanged):
            return AgencyState(agency=event.agency, renamed=state.renamed + 1)
        return state


@dataclass
class AgencyApp:
    kernel: Kernel
    seen_elsewhere: list[str] = field(default_factory=list)
    timer_passes: int = 0

    async def register(self, agency: AgencyRecord) -> list[CloudEvent]:
        context = CommandContext(actor="admin:x:36", region_code=agency.region_code)
        return await self.kernel.store.execute(
            "agency", agency.agency_id, Register(agency), context
        )

    def note(self, envelope: CloudEvent, event: DomainEvent) -> None:
        self.seen_elsewhere.append(envelope.subject)


async def mirror(app: AgencyApp, received: Received) -> None:
    """The policy: an agency registered elsewhere is registered here too."""
    if isinstance(received.event, AgencyRegistered):
        await app.register(received.event.agency)


async def count_pass(app: AgencyApp) -> int:
    app.timer_passes += 1
    return app.timer_passes


AppDep = Annotated[AgencyApp, Depends(application_dependency(AgencyApp))]
router = APIRouter()


@router.get("/agencies/count")
async def agency_count(app: AppDep) -> dict[str, int]:
    return {"count": sum(1 for _ in app.kernel.store.all("agency"))}


DEFINITION: ServiceDefinition[AgencyApp] = ServiceDefinition(
    name="kerneltest",
    topic=OWN_TOPIC,
    description="a service with one of each part",
    kinds=(AggregateKind("agency", AgencyDecider(), (AgencyRegistered, AgencyChanged)),),
    application=AgencyApp,
    routers=(router,),
    views=(View(OTHER_TOPIC, lambda app: app.note),),
    policies=(Policy(OTHER_TOPIC, mirror),),
    timers=(Timer("count", count_pass, lambda settings: 0.01),),
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(kafka_bootstrap_servers="127.0.0.1:1", data_dir=tmp_path)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2016, 6, 1, 1, 0, tzinfo=UTC))


async def test_a_command_decides_publishes_and_evolves(
    settings: Settings, clock: SimulatedClock
) -> None:
    h = harness(DEFINITION, settings, clock)
    await h.app.register(record("A1"))
    await h.app.register(record("A1"))  # the same again: nothing new
    await h.app.register(record("A1", "县市场监管局"))
    assert h.published_names() == ["AgencyRegistered", "AgencyChanged"]
    assert [e.sequence for e in h.published()] == [1, 2]
    assert h.app.kernel.store.state("agency", "A1").renamed == 1
    with pytest.raises(Conflict) as refused:
        await h.app.register(record("A1", "第三个名字"))
    assert refused.value.field == "name"
    assert len(h.published()) == 2  # a refusal publishes nothing


async def test_a_failed_publish_changes_no_state(settings: Settings, clock: SimulatedClock) -> None:
    h = harness(DEFINITION, settings, clock)
    h.log.failing = RuntimeError("no acknowledgement")
    with pytest.raises(RuntimeError):
        await h.app.register(record("A2"))
    h.log.failing = None
    assert h.app.kernel.store.get("agency", "A2") is None
    await h.app.register(record("A2"))
    assert [e.sequence for e in h.published()] == [1]


async def test_views_and_policies_get_the_other_topics_events(
    settings: Settings, clock: SimulatedClock
) -> None:
    h = harness(DEFINITION, settings, clock)
    await h.deliver_events(OTHER_TOPIC, [AgencyRegistered(agency=record("B1"))], subject="B1")
    await h.deliver_events(OTHER_TOPIC, [AgencyChanged(agency=record("B1", "新"))], subject="B1")
    assert h.app.seen_elsewhere == ["B1", "B1"]
    assert h.published_names() == ["AgencyRegistered"]  # the policy, once


async def test_the_harness_runs_one_timer_pass(settings: Settings, clock: SimulatedClock) -> None:
    h = harness(DEFINITION, settings, clock)
    assert await h.run_timer("count") == 1
    with pytest.raises(KeyError):
        await h.run_timer("nothing")


async def test_a_failing_timer_pass_does_not_end_the_timer(settings: Settings) -> None:
    calls: list[int] = []

    async def flaky(app: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the broker hiccupped")

    runtime = SimpleNamespace(ready=asyncio.Event(), settings=settings, service="kerneltest")
    runtime.ready.set()
    task = asyncio.create_task(_every(Timer("flaky", flaky, lambda s: 0.001), None, runtime))  # type: ignore[arg-type]
    while len(calls) < 3:
        await asyncio.sleep(0.005)
    task.cancel()
    assert len(calls) >= 3


def test_build_service_assembles_the_process(settings: Settings, clock: SimulatedClock) -> None:
    api = build_service(DEFINITION, settings, clock)
    assert isinstance(api, FastAPI)
    assert isinstance(api.state.application, AgencyApp)
    assert api.state.application.kernel.store.topic == OWN_TOPIC
    assert api.state.runtime.ready is api.state.application.kernel.ready
    assert {"/agencies/count", "/health"} <= set(api.openapi()["paths"])
    # Without the lifespan (no broker here) the route still finds the application.
    assert TestClient(api).get("/agencies/count").json() == {"count": 0}


def test_a_route_of_another_service_is_refused(settings: Settings, clock: SimulatedClock) -> None:
    api = build_service(DEFINITION, settings, clock)
    api.state.application = object()
    with pytest.raises(TypeError):
        asyncio.run(application_dependency(AgencyApp)(SimpleNamespace(app=api)))  # type: ignore[arg-type]


def test_the_in_memory_log_reads_back_what_kafka_would_carry() -> None:
    log = InMemoryEventLog()
    event = AgencyRegistered(agency=record("C1"))
    envelope = event.enveloped(
        "C1", 1, datetime(2016, 6, 1, tzinfo=UTC) + timedelta(hours=1), source="/t", event_id="e1"
    )
    acks = log.publish(OTHER_TOPIC, [envelope])
    assert (acks[0].partition, acks[0].offset) == (0, 0)
    [received] = log.received(OTHER_TOPIC)
    assert received.envelope == envelope
    assert received.event == event
