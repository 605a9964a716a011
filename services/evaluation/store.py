"""The evaluation service's event store, with the indexes its requests read instead
of scanning every meeting: which meeting issued a token (by its hash), the meetings
of each region and of the regions above it, those with look-backs, and those whose
results are published. Each is filled as events are folded, from the log or from a
command."""

from __future__ import annotations

from services.evaluation.domain.state import MeetingState
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    BallotsIssued,
    EvaluationMeetingScheduled,
    LookBackOpened,
    ResultsPublished,
)
from shared.eventstore import EventStore
from shared.regions import jiangxi
from shared.state import Aggregate

MEETING = "meeting"

_BY_TOKEN_HASH = "meeting_by_token_hash"
_BY_REGION = "meetings_by_region"
_LOOKBACKS_BY_REGION = "lookback_meetings_by_region"
_PUBLISHED = "published_meetings"
_ALL = "*"


def _lineage(region_code: str) -> list[str]:
    """The region and every region above it: each reads the meetings held there."""
    regions = jiangxi()
    return regions.lineage(region_code) if region_code in regions else [region_code]


class EvaluationStore(EventStore):
    def applied(self, aggregate_id: str, aggregate: Aggregate, event: DomainEvent) -> None:
        state: MeetingState = aggregate.state
        match event:
            case BallotsIssued():
                meetings = self.state_file.lookup(_BY_TOKEN_HASH)
                for token_hash in event.token_hashes:
                    meetings.put(token_hash, aggregate_id)
            case EvaluationMeetingScheduled():
                self._file_under_regions(_BY_REGION, event.region_code, aggregate_id)
            case LookBackOpened() if state.scheduled is not None:
                self._file_under_regions(
                    _LOOKBACKS_BY_REGION, state.scheduled.region_code, aggregate_id
                )
            case ResultsPublished():
                self.state_file.lookup(_PUBLISHED).put(_ALL, aggregate_id)

    def _file_under_regions(self, index: str, region_code: str, meeting_id: str) -> None:
        lookup = self.state_file.lookup(index)
        for code in _lineage(region_code):
            lookup.put(code, meeting_id)

    def meeting_of_token_hash(self, token_hash: str) -> str | None:
        return self.state_file.lookup(_BY_TOKEN_HASH).get(token_hash)

    def meetings_within(self, region_code: str) -> list[str]:
        """The meetings held in ``region_code`` or below it, in the order scheduled."""
        return self.state_file.lookup(_BY_REGION).values(region_code)

    def meetings_with_lookbacks_within(self, region_code: str) -> list[str]:
        """The meetings in ``region_code`` or below that opened a look-back."""
        return self.state_file.lookup(_LOOKBACKS_BY_REGION).values(region_code)

    def published_meetings(self) -> list[str]:
        """The meetings whose results are published, in the order published."""
        return self.state_file.lookup(_PUBLISHED).values(_ALL)
