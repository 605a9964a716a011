"""Wiring for the intake service: the one place that builds its parts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shared.clock import Clock, clock_from_settings
from shared.http import create_api
from shared.kafka.producer import EventPublisher
from shared.privacy import KeyStore
from shared.runtime import ServiceRuntime, build_faust_app
from shared.settings import Settings, get_settings
from shared.topics import INTAKE

from . import policies, timers
from .api import admin, directory, public, self_inspection, tip_words, tips
from .client_address import TrustedProxies
from .directory.view import IntakeDirectory
from .parts import IntakeParts
from .store import IntakeStore
from .throttle import RateLimits
from .tipster_privacy import TipsterPrivacy

SERVICE = "intake"
log = logging.getLogger(__name__)


def build_parts(settings: Settings, clock: Clock) -> IntakeParts:
    publisher = EventPublisher(settings)
    store = IntakeStore.for_service(SERVICE, INTAKE, settings, publisher, clock)
    runtime = ServiceRuntime(
        service=SERVICE,
        settings=settings,
        clock=clock,
        publisher=publisher,
        store=store,
        faust_app=build_faust_app(SERVICE, settings),
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    parts = IntakeParts(
        settings=settings,
        clock=clock,
        runtime=runtime,
        store=store,
        directory=IntakeDirectory(),
        privacy=TipsterPrivacy(KeyStore(settings.resolved_keystore_url, clock)),
        throttle=RateLimits(
            settings.resolved_rate_limit_url,
            tips=settings.intake_tip_limit,
            lookup_failures=settings.intake_lookup_failure_limit,
        ),
        proxies=TrustedProxies.parse(settings.trusted_proxies),
    )
    policies.subscribe(runtime, parts)
    return parts


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or clock_from_settings(settings)
    parts = build_parts(settings, clock)
    runtime_lifespan = parts.runtime.lifespan()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(api), timers.watching(parts):
            log.info(
                "intake: directory has %d campaigns, %d agencies",
                len(parts.directory.campaigns),
                len(parts.directory.agencies),
            )
            yield

    api = create_api(
        SERVICE,
        settings,
        clock,
        lifespan=lifespan,
        description="线索受理、分办、核查与问题认定；机关自查报送。 / Tips, triage, "
        "verification and problems found; agencies' self-inspection filings.",
    )
    api.state.runtime = parts.runtime
    api.state.intake = parts
    for router in (
        public.router,
        tips.router,
        tip_words.router,
        self_inspection.router,
        directory.router,
        admin.router,
    ):
        api.include_router(router)
    return api
