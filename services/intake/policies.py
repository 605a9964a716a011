"""Reactions to other topics: problems raised at evaluation meetings
(``evaluation.ProblemRaised``), each becoming a tip. Reference data from
``directory.events`` is a view (``bootstrap.DEFINITION.views``)."""

from __future__ import annotations

from shared.events.evaluation import ProblemRaised
from shared.kafka.consumer import Received

from .application import IntakeApp
from .application.raised import take_raised_problem


async def on_problem_raised(app: IntakeApp, received: Received) -> bool:
    """Turn a problem raised on a ballot into a tip; False for any other event and for
    a problem that is a tip already (redelivery)."""
    event = received.event
    if not isinstance(event, ProblemRaised):
        return False
    correlation_id = received.envelope.correlationid or received.envelope.id
    return await take_raised_problem(app, event, correlation_id)
