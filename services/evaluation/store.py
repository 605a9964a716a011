"""The evaluation service's event store, with the index a ballot needs: which
meeting issued a token (by its hash), so a ballot is found without scanning meetings."""

from __future__ import annotations

from shared.events.base import DomainEvent
from shared.events.evaluation import BallotsIssued
from shared.eventstore import EventStore
from shared.state import Aggregate


class EvaluationStore(EventStore):
    def applied(self, aggregate_id: str, aggregate: Aggregate, event: DomainEvent) -> None:
        if isinstance(event, BallotsIssued):
            meetings = self.state_file.lookup("meeting_by_token_hash")
            for token_hash in event.token_hashes:
                meetings.put(token_hash, aggregate_id)

    def meeting_of_token_hash(self, token_hash: str) -> str | None:
        return self.state_file.lookup("meeting_by_token_hash").get(token_hash)
