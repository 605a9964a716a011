"""Wiring for the evaluation service: the one place that builds its parts."""

from __future__ import annotations

from fastapi import FastAPI

from services.evaluation import policies
from services.evaluation.api import ballots, counting, draws, meetings, public, readings
from services.evaluation.api.context import MEETING, Evaluation
from services.evaluation.directory import Directory
from services.evaluation.domain.meeting import MEETING_EVENTS, MeetingDecider
from services.evaluation.store import EvaluationStore
from shared.clock import Clock, clock_from_settings
from shared.eventstore import AggregateKind
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.runtime import ServiceRuntime, build_faust_app
from shared.settings import Settings, get_settings
from shared.topics import EVALUATION

SERVICE = "evaluation"


def build_runtime(settings: Settings, clock: Clock) -> ServiceRuntime:
    publisher = EventPublisher(settings)
    store = EvaluationStore.for_service(SERVICE, EVALUATION, settings, publisher, clock)
    store.register(AggregateKind(MEETING, MeetingDecider(), MEETING_EVENTS))
    return ServiceRuntime(
        service=SERVICE,
        settings=settings,
        clock=clock,
        publisher=publisher,
        store=store,
        faust_app=build_faust_app(SERVICE, settings),
    )


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or clock_from_settings(settings)
    runtime = build_runtime(settings, clock)
    assert runtime.store is not None
    directory = Directory()
    policies.subscribe(runtime, directory)
    api = create_api(SERVICE, settings, clock, lifespan=runtime.lifespan())
    api.state.runtime = runtime
    assert isinstance(runtime.store, EvaluationStore)
    api.state.evaluation = Evaluation(
        store=runtime.store, directory=directory, settings=settings, clock=clock
    )
    routers = (meetings, readings, counting, draws, ballots, public)
    for router in (module.router for module in routers):
        api.include_router(router)
    return api
