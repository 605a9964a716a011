"""The log the samples are written to: envelopes with gapless per-subject sequences
on a clock that moves forward, and the constants every story shares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.reporting.readmodels.projector import RawRecord
from shared.codec import encode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.topics import TOPIC_OF_SERVICE

# Not the default campaign id: these samples share the broker with other tests.
CAMPAIGN = "reporting-sample-campaign"
START = datetime(2016, 10, 1, tzinfo=UTC)
# Intake seals every citizen's words; a sample carries a stand-in for the ciphertext.
SEALED = "aesgcm1:c2FtcGxlIG9ubHk="


@dataclass
class EventLog:
    """Envelopes with gapless per-subject sequences, on a clock that moves forward."""

    now: datetime = START
    sequences: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    envelopes: list[CloudEvent] = field(default_factory=list)

    def add(self, subject: str, event: DomainEvent, *, region: str = "") -> CloudEvent:
        self.now += timedelta(minutes=10)
        self.sequences[subject] += 1
        envelope = event.enveloped(
            subject,
            self.sequences[subject],
            self.now,
            campaignid=CAMPAIGN,
            regioncode=region,
            actor="admin:test:360000",
        )
        self.envelopes.append(envelope)
        return envelope

    def stream(self, subject: str, region: str = "") -> Callable[[DomainEvent], CloudEvent]:
        """Adds events of one subject, in one region: each at the log's time when it
        is added, so a story reads ``add(Event(..., at=log.now))`` event by event."""
        return lambda event: self.add(subject, event, region=region)

    def records(self) -> list[RawRecord]:
        """As Kafka records, one partition per topic, offsets in order."""
        offsets: defaultdict[str, int] = defaultdict(int)
        result = []
        for envelope in self.envelopes:
            topic = topic_of(envelope)
            record = encode(envelope)
            result.append(RawRecord(topic, 0, offsets[topic], record.key, record.value))
            offsets[topic] += 1
        return result


def topic_of(envelope: CloudEvent) -> str:
    """The topic of the service that owns the envelope's type."""
    return TOPIC_OF_SERVICE[envelope.type.split(".")[4]]
