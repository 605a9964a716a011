"""The token index: a ballot's meeting found by one look-up of its token's hash,
filled from ``BallotsIssued`` as the log is folded."""

from __future__ import annotations

from datetime import UTC, datetime

from services.evaluation.domain.meeting import MEETING_EVENTS, MeetingDecider
from services.evaluation.domain.tokens import hash_token
from services.evaluation.store import MEETING, EvaluationStore
from shared.clock import SystemClock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.eventstore import AggregateKind
from shared.kafka.producer import EventPublisher
from shared.settings import Settings
from tests.evaluation.test_meeting_decider import open_history, token


def _envelope(meeting_id: str, sequence: int, event: DomainEvent) -> CloudEvent:
    return event.enveloped(meeting_id, sequence, datetime.now(UTC))


def test_a_token_finds_its_meeting_and_an_unknown_one_finds_none() -> None:
    store = EvaluationStore(
        source="/evaluation",
        topic="evaluation.events",
        publisher=EventPublisher(Settings()),
        clock=SystemClock(),
    )
    store.register(AggregateKind(MEETING, MeetingDecider(), MEETING_EVENTS))
    for sequence, event in enumerate(open_history(attendees=3), start=1):
        assert store.apply(_envelope("meet-t1", sequence, event), event)
    assert store.meeting_of_token_hash(hash_token(token(2))) == "meet-t1"
    assert store.meeting_of_token_hash(hash_token(token(3))) is None  # not issued
    assert store.meeting_of_token_hash(token(0)) is None  # the token itself is no key
