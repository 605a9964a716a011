"""Wiring for the rectification service: the one place that builds its parts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.rectification import policies
from services.rectification.api import routes
from services.rectification.runtime import (
    AGGREGATE_KINDS,
    RectificationRuntime,
)
from services.rectification.timers import watch_deadlines
from shared.clock import Clock, clock_from_settings
from shared.eventstore import EventStore
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.runtime import build_faust_app
from shared.settings import Settings, get_settings
from shared.topics import RECTIFICATION

SERVICE = "rectification"


def build_runtime(settings: Settings, clock: Clock) -> RectificationRuntime:
    publisher = EventPublisher(settings)
    store = EventStore.for_service(SERVICE, RECTIFICATION, settings, publisher, clock)
    for kind in AGGREGATE_KINDS:
        store.register(kind)
    runtime = RectificationRuntime(
        service=SERVICE,
        settings=settings,
        clock=clock,
        publisher=publisher,
        store=store,
        faust_app=build_faust_app(SERVICE, settings),
        tick_seconds=settings.rectification_tick_seconds,
    )
    policies.register(runtime)
    return runtime


def lifespan(runtime: RectificationRuntime) -> Callable[[FastAPI], Any]:
    """The shared lifespan, then the deadline watcher."""
    shared_lifespan = runtime.lifespan()

    @asynccontextmanager
    async def run(api: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(api):
            watcher = asyncio.create_task(watch_deadlines(runtime), name="rectification-deadlines")
            try:
                yield
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    return run


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or clock_from_settings(settings)
    runtime = build_runtime(settings, clock)
    api = create_api(
        SERVICE,
        settings,
        clock,
        lifespan=lifespan(runtime),
        description="整改落实：逐项整改、时限督办、典型案例、移送、问责、制度完善 / "
        "Rectification: item-by-item fixes, deadlines, typical cases, referrals, "
        "accountability, rule improvements",
    )
    api.state.runtime = runtime
    routes.include(api)
    return api
