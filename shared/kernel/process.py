"""A service's declaration turned into its running process: the event store over its
state file, the application object, the FastAPI app, the consumers of the topics it
follows or reacts to (faust, on the same loop), and its timers, in one lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from shared.clock import Clock, clock_from_settings
from shared.http import create_api
from shared.kafka.consumer import Received
from shared.kafka.producer import EventPublisher
from shared.kernel.definition import AppT, Policy, ServiceDefinition, Timer
from shared.kernel.kernel import Kernel
from shared.ports import EventLog
from shared.runtime import ServiceRuntime, build_faust_app
from shared.settings import Settings, get_settings
from shared.state import StateFile, service_state_file

log = logging.getLogger(__name__)


def build_application(
    definition: ServiceDefinition[AppT],
    settings: Settings,
    clock: Clock,
    event_log: EventLog,
    state: StateFile | None = None,
) -> AppT:
    """The service's application object on ``event_log``: what the API, policies and
    timers call. ``state`` is where decision state is kept (in memory when not given)."""
    store = definition.store(
        source=f"/{definition.name}",
        topic=definition.topic,
        publisher=event_log,
        clock=clock,
        state=state,
    )
    for kind in definition.kinds:
        store.register(kind)
    kernel = Kernel(
        service=definition.name, settings=settings, clock=clock, store=store, log=event_log
    )
    return definition.application(kernel)


def build_service(
    definition: ServiceDefinition[AppT],
    settings: Settings | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The service process: its application on Kafka and its state file, behind its API."""
    settings = settings or get_settings()
    clock = clock or clock_from_settings(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    publisher = EventPublisher(settings)
    state = service_state_file(settings.data_dir, definition.name)
    application = build_application(definition, settings, clock, publisher, state)
    kernel = kernel_of(application)
    runtime = ServiceRuntime(
        service=definition.name,
        settings=settings,
        clock=clock,
        publisher=publisher,
        store=kernel.store,
        faust_app=build_faust_app(definition.name, settings),
        ready=kernel.ready,
    )
    for view in definition.views:
        runtime.follow(view.topic, view.apply(application))
    for policy in definition.policies:
        runtime.subscribe(policy.topic, _bound(policy, application))
    api = create_api(
        definition.name,
        settings,
        clock,
        lifespan=_lifespan(runtime, definition.timers, application),
        description=definition.description,
    )
    api.state.runtime = runtime
    api.state.application = application
    for router in definition.routers:
        api.include_router(router)
    return api


def kernel_of(application: object) -> Kernel:
    """Every application object carries its kernel as ``kernel``."""
    kernel = getattr(application, "kernel", None)
    if not isinstance(kernel, Kernel):
        raise TypeError(f"{type(application).__name__} has no kernel attribute")
    return kernel


def application_dependency(kind: type[AppT]) -> Callable[[Request], Awaitable[AppT]]:
    """A FastAPI dependency giving a route the service's application object (``async``:
    FastAPI runs a plain ``def`` dependency in a worker thread, a hop that costs more
    than the look-up)."""

    async def application(request: Request) -> AppT:
        found = request.app.state.application
        if not isinstance(found, kind):
            raise TypeError(f"this app serves {type(found).__name__}, not {kind.__name__}")
        return found

    application.__name__ = f"{kind.__name__.lower()}_application"
    return application


def _bound(policy: Policy[AppT], application: AppT) -> Callable[[Received], Any]:
    async def handle(received: Received) -> None:
        await policy.handle(application, received)

    handle.__name__ = getattr(policy.handle, "__name__", "policy")
    return handle


def _lifespan(
    runtime: ServiceRuntime, timers: Sequence[Timer[AppT]], application: AppT
) -> Callable[[FastAPI], Any]:
    shared_lifespan = runtime.lifespan()

    @asynccontextmanager
    async def run(api: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(api):
            tasks = [
                asyncio.create_task(
                    _every(timer, application, runtime), name=f"{runtime.service}-{timer.name}"
                )
                for timer in timers
            ]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return run


async def _every(timer: Timer[AppT], application: AppT, runtime: ServiceRuntime) -> None:
    await runtime.ready.wait()
    interval = timer.interval(runtime.settings)
    if timer.wait_first:
        await asyncio.sleep(interval)
    while True:
        try:
            await timer.run(application)
        except Exception:  # a broker hiccup must not end the timer; the next pass retries
            log.exception("%s: timer %s failed", runtime.service, timer.name)
        await asyncio.sleep(interval)
