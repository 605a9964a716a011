"""Reactions to other services' events: every ``ProblemFound`` on ``intake.events``
opens exactly one rectification item (a redelivery is refused and ignored). The
directory is a view the kernel keeps (``bootstrap.DEFINITION.views``)."""

from __future__ import annotations

import asyncio
import logging

from services.rectification.application import items
from services.rectification.application.app import RectificationApp
from shared.errors import Unavailable
from shared.events.intake import ProblemFound
from shared.kafka.consumer import Received

log = logging.getLogger(__name__)

PUBLISH_ATTEMPTS = 5


async def on_intake_event(app: RectificationApp, received: Received) -> bool:
    """Open the item for a ``ProblemFound``; False for any other event and for a problem
    whose item is already open. A broker that does not acknowledge is tried again,
    waiting a little longer each time, before the failure reaches the consumer."""
    problem = received.event
    if not isinstance(problem, ProblemFound):
        return False
    envelope = received.envelope
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        try:
            return await items.open_item(
                app,
                problem,
                correlation_id=envelope.correlationid or envelope.id,
                causation_id=envelope.id,
            )
        except Unavailable:
            if attempt == PUBLISH_ATTEMPTS:
                raise
            log.warning("opening %s failed (attempt %d); retrying", problem.problem_id, attempt)
            await asyncio.sleep(attempt)
    return False
