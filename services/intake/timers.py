"""The deadline watcher, run by the kernel every ``INTAKE_TICK_SECONDS`` of wall time,
the first time one interval after intake is caught up (a restart's work lists are
taken up by the next pass, not raced against the first requests): one pass escalates
late tips, records problems a crash left unrecorded and finishes half-done erasures,
on the injected clock."""

from __future__ import annotations

from shared.settings import Settings

from .application import IntakeApp
from .application.deadlines import DuePass, run_due_work


async def run_due(app: IntakeApp) -> DuePass:
    return await run_due_work(app)


def tick_seconds(settings: Settings) -> float:
    return settings.intake_tick_seconds
