"""The deadline watcher: escalates tips nobody acted on in time, records any
problem whose ``ProblemFound`` a crash left unpublished, and shreds the keys of
tipsters whose erasure a crash left half done. Reads the injected clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from .application import escalate_overdue, finish_erasures, reconcile_problems
from .parts import IntakeParts

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 5.0


async def run_due_work(parts: IntakeParts) -> tuple[int, int]:
    """One pass: (events of escalation emitted, problems recorded)."""
    await finish_erasures(parts)
    return await escalate_overdue(parts), await reconcile_problems(parts)


async def watch(parts: IntakeParts, interval: float = INTERVAL_SECONDS) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await run_due_work(parts)
        except Exception:  # the watcher must outlive a broker hiccup; next pass retries
            log.exception("intake deadline watcher pass failed")


@contextlib.asynccontextmanager
async def watching(
    parts: IntakeParts, interval: float = INTERVAL_SECONDS
) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(watch(parts, interval), name="intake-deadlines")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
