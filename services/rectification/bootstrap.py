"""The rectification service, declared: the kernel (``shared.kernel``) builds its
process from this."""

from __future__ import annotations

from fastapi import FastAPI

from services.rectification import policies, timers
from services.rectification.api import cases, items, public, regulations
from services.rectification.application.app import AGGREGATE_KINDS, RectificationApp
from shared.clock import Clock
from shared.kernel import Policy, ServiceDefinition, Timer, View, build_service
from shared.settings import Settings
from shared.topics import DIRECTORY, INTAKE, RECTIFICATION

DEFINITION = ServiceDefinition(
    name="rectification",
    topic=RECTIFICATION,
    description="整改落实：逐项整改、时限督办、典型案例、移送、问责、制度完善 / "
    "Rectification: item-by-item fixes, deadlines, typical cases, referrals, "
    "accountability, rule improvements",
    kinds=AGGREGATE_KINDS,
    application=RectificationApp.build,
    routers=(items.router, cases.router, regulations.router, public.router),
    views=(View(DIRECTORY, lambda app: app.directory.apply),),
    policies=(Policy(INTAKE, policies.on_intake_event),),
    timers=(Timer("deadlines", timers.run_due, timers.interval),),
)


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    return build_service(DEFINITION, settings, clock)
