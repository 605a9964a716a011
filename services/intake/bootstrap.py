"""Intake, declared: its topic, aggregates, the directory it follows, the problems
raised at meetings it takes as tips, its deadline watcher and its routers. The
kernel (``shared.kernel``) builds the process from this."""

from __future__ import annotations

from fastapi import FastAPI

from shared.clock import Clock
from shared.kernel import Policy, ServiceDefinition, Timer, View, build_service
from shared.settings import Settings
from shared.topics import DIRECTORY, EVALUATION, INTAKE

from .api import admin, directory, public, self_inspection, tip_words, tips
from .application import IntakeApp
from .policies import on_problem_raised
from .store import KINDS, IntakeStore
from .timers import run_due, tick_seconds

DEFINITION = ServiceDefinition[IntakeApp](
    name="intake",
    topic=INTAKE,
    description="线索受理、分办、核查与问题认定；机关自查报送。 / Tips, triage, "
    "verification and problems found; agencies' self-inspection filings.",
    kinds=KINDS,
    application=IntakeApp.build,
    routers=(
        public.router,
        tips.router,
        tip_words.router,
        self_inspection.router,
        directory.router,
        admin.router,
    ),
    store=IntakeStore,
    views=(View(DIRECTORY, lambda app: app.directory.apply),),
    policies=(Policy(EVALUATION, on_problem_raised),),
    timers=(Timer("deadlines", run_due, tick_seconds, wait_first=True),),
)


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    return build_service(DEFINITION, settings, clock)
