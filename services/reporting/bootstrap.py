"""Wiring for the reporting service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.clock import Clock, SystemClock
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.runtime import ServiceRuntime
from shared.settings import Settings, get_settings

SERVICE = "reporting"


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or SystemClock()
    runtime = ServiceRuntime(
        service=SERVICE, settings=settings, clock=clock, publisher=EventPublisher(settings)
    )
    api = create_api(SERVICE, settings, clock, lifespan=runtime.lifespan())
    api.state.runtime = runtime
    return api
