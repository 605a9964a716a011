"""The deadline watcher's work lists, folded with decision state (no broker)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.intake.store import TIP, IntakeStore
from shared.clock import SimulatedClock
from shared.events.base import DomainEvent
from shared.events.intake import TipAccepted, TipChannel, TipReceived, TipRejected
from shared.eventstore import CommandContext
from shared.kafka.producer import EventPublisher
from shared.settings import Settings

T0 = datetime(2016, 7, 20, 9, 0, tzinfo=UTC)


def store() -> IntakeStore:
    return IntakeStore(
        source="/intake",
        topic="intake.events",
        publisher=EventPublisher(Settings()),
        clock=SimulatedClock(T0),
    )


def received(tip_id: str, due: datetime) -> TipReceived:
    return TipReceived(
        tip_id=tip_id,
        campaign_id="c1",
        channel=TipChannel.hotline,
        region_code="360102",
        agency_text="城管局",
        description="罚款不开票",
        occurred_on=date(2016, 7, 1),
        anonymous=True,
        triage_due_at=due,
        received_at=T0,
    )


def fold(s: IntakeStore, tip_id: str, *events: DomainEvent) -> None:
    version = s.get(TIP, tip_id).version if s.get(TIP, tip_id) else 0
    for offset, event in enumerate(events, start=1):
        s.apply(s.envelope(tip_id, version + offset, event, CommandContext()), event)


def test_only_tips_whose_current_deadline_has_come_are_due() -> None:
    s = store()
    fold(s, "tip-a", received("tip-a", T0 + timedelta(days=3)))
    fold(s, "tip-b", received("tip-b", T0 + timedelta(days=1)))
    fold(s, "tip-c", received("tip-c", T0 + timedelta(days=1)))
    fold(
        s,
        "tip-c",
        TipRejected(tip_id="tip-c", reason="不属于", referred_to="法院", rejected_at=T0),
    )
    fold(
        s,
        "tip-a",
        TipAccepted(tip_id="tip-a", verification_due_at=T0 + timedelta(days=15), accepted_at=T0),
    )
    assert s.tips_due(T0) == []
    # tip-c is closed, but its old entry comes due: the watcher checks the state.
    assert sorted(s.tips_due(T0 + timedelta(days=4))) == ["tip-a", "tip-b", "tip-c"]
    assert s.tips_due(T0 + timedelta(days=4)) == []  # each entry is taken once
    assert s.tips_due(T0 + timedelta(days=16)) == ["tip-a"]  # its verification deadline
    s.tip_due_again("tip-a")  # an escalation that failed is retried on the next pass
    assert s.tips_due(T0 + timedelta(days=16)) == ["tip-a"]
    s.tip_due_again("tip-c")  # closed tips never come back
    assert s.tips_due(T0 + timedelta(days=99)) == []
