"""Wiring for the evaluation service: the one place that builds its parts."""

from __future__ import annotations

from fastapi import FastAPI

from shared.clock import Clock, SystemClock
from shared.eventstore import EventStore
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.runtime import ServiceRuntime, build_faust_app
from shared.settings import Settings, get_settings
from shared.topics import EVALUATION

SERVICE = "evaluation"


def build_runtime(settings: Settings, clock: Clock) -> ServiceRuntime:
    publisher = EventPublisher(settings)
    store = EventStore(source=f"/{SERVICE}", topic=EVALUATION, publisher=publisher, clock=clock)
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
    clock = clock or SystemClock()
    runtime = build_runtime(settings, clock)
    api = create_api(SERVICE, settings, clock, lifespan=runtime.lifespan())
    api.state.runtime = runtime
    return api
