"""Wiring for the reporting service: the read models, the projector thread that keeps
them current, and the HTTP API. It has no faust app: one aiokafka consumer, on the
projector thread's own event loop, owns every partition of the four topics and stores
its offsets with the rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.reporting.api.routes import register_routes
from services.reporting.context import ReportingContext
from services.reporting.readmodels.consumer import Projector, start_in_thread
from services.reporting.readmodels.schema import create_tables, make_engine
from shared.clock import Clock, clock_from_settings
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.runtime import ServiceRuntime
from shared.settings import Settings, get_settings

SERVICE = "reporting"


def build_context(settings: Settings, clock: Clock) -> ReportingContext:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_readmodel_url)
    return ReportingContext(
        settings=settings, clock=clock, engine=engine, projector=Projector(settings, engine)
    )


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or clock_from_settings(settings)
    runtime = ServiceRuntime(
        service=SERVICE, settings=settings, clock=clock, publisher=EventPublisher(settings)
    )
    context = build_context(settings, clock)
    platform_lifespan = runtime.lifespan()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        async with platform_lifespan(api):
            await asyncio.to_thread(create_tables, context.engine)
            context.thread = start_in_thread(context.projector)
            try:
                yield
            finally:
                context.projector.stop()
                await asyncio.to_thread(context.thread.join, 15)
                context.projector.close()
                context.engine.dispose()

    api = create_api(SERVICE, settings, clock, lifespan=lifespan)
    api.state.runtime = runtime
    api.state.reporting = context
    register_routes(api)
    return api
