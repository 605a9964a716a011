"""Reactions to other services' events: the directory, and every ``ProblemFound``
opening exactly one rectification item (a redelivery is refused and ignored)."""

from __future__ import annotations

import asyncio
import logging

from services.rectification.directory import rectification_terms
from services.rectification.domain.items import OpenItem, item_id_for
from services.rectification.runtime import ITEM, RectificationRuntime
from shared.errors import Conflict, Unavailable
from shared.events.intake import ProblemFound
from shared.eventstore import CommandContext
from shared.kafka.consumer import Received
from shared.topics import DIRECTORY, INTAKE

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:rectification:"
PUBLISH_ATTEMPTS = 5


async def open_item_for(runtime: RectificationRuntime, received: Received) -> bool:
    """Open the item for a ``ProblemFound``; False if it was already open."""
    problem = received.event
    if not isinstance(problem, ProblemFound):
        return False
    terms = rectification_terms(runtime.directory, problem.campaign_id)
    command = OpenItem(
        problem=problem,
        rules=terms.rules,
        rectification_starts_on=terms.starts_on,
        rectification_ends_on=terms.ends_on,
        rules_known=terms.known,
        at=runtime.clock.now(),
    )
    context = CommandContext(
        actor=SYSTEM_ACTOR,
        campaign_id=problem.campaign_id,
        region_code=problem.region_code,
        correlation_id=received.envelope.correlationid or received.envelope.id,
        causation_id=received.envelope.id,
    )
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        try:
            await runtime.events.execute(ITEM, item_id_for(problem.problem_id), command, context)
            return True
        except Conflict:
            return False
        except Unavailable:
            if attempt == PUBLISH_ATTEMPTS:
                raise
            log.warning("opening %s failed (attempt %d); retrying", problem.problem_id, attempt)
            await asyncio.sleep(attempt)
    return False


def register(runtime: RectificationRuntime) -> None:
    async def on_intake_event(received: Received) -> None:
        await open_item_for(runtime, received)

    runtime.follow(DIRECTORY, runtime.directory.apply)
    runtime.subscribe(INTAKE, on_intake_event)
