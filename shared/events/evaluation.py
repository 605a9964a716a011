"""Events on ``evaluation.events``: meetings, the verifiable draw, ballots, tallies,
feedback, publication, look-backs. ``ProblemRaised`` is the contract intake consumes."""

from __future__ import annotations

from datetime import datetime

from shared.events.base import DomainEvent
from shared.events.registry import event


@event("evaluation.ProblemRaised")
class ProblemRaised(DomainEvent):
    """A problem a representative wrote on a ballot, forwarded to intake as a tip
    (subject = meeting id). Carries nothing that identifies the voter."""

    meeting_id: str
    raised_id: str
    campaign_id: str
    agency_id: str
    region_code: str
    description: str
    raised_at: datetime
