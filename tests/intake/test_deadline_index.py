"""The deadline watcher's due tips and the API's look-ups, folded with decision state
(no broker)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.intake.store import KINDS, TIP, IntakeStore
from shared.clock import SimulatedClock
from shared.events.base import DomainEvent
from shared.events.intake import (
    TipAccepted,
    TipChannel,
    TipEscalated,
    TipMerged,
    TipReceived,
    TipRejected,
    TipStage,
)
from shared.eventstore import CommandContext
from shared.kafka.producer import EventPublisher
from shared.settings import Settings

T0 = datetime(2016, 7, 20, 9, 0, tzinfo=UTC)


def store() -> IntakeStore:
    s = IntakeStore(
        source="/intake",
        topic="intake.events",
        publisher=EventPublisher(Settings()),
        clock=SimulatedClock(T0),
    )
    for kind in KINDS:
        s.register(kind)
    return s


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


def test_only_open_tips_whose_current_deadline_has_come_are_due() -> None:
    s = store()
    fold(s, "tip-a", received("tip-a", T0 + timedelta(days=3)))
    fold(s, "tip-b", received("tip-b", T0 + timedelta(days=1)))
    fold(s, "tip-c", received("tip-c", T0 + timedelta(days=1)))
    fold(
        s,
        "tip-c",
        TipRejected(tip_id="tip-c", reason="不属于", referred_to="法院", rejected_at=T0),
    )
    assert s.tips_due(T0) == []
    assert s.tips_due(T0 + timedelta(days=2)) == ["tip-b"]  # tip-c is closed
    fold(
        s,
        "tip-a",
        TipAccepted(tip_id="tip-a", verification_due_at=T0 + timedelta(days=15), accepted_at=T0),
    )
    # tip-a's triage deadline no longer counts: it is due at its verification deadline.
    assert s.tips_due(T0 + timedelta(days=4)) == ["tip-b"]
    assert s.tips_due(T0 + timedelta(days=16)) == ["tip-b", "tip-a"]  # earliest first


def test_a_tip_stays_due_until_it_is_escalated_at_its_stage() -> None:
    s = store()
    fold(s, "tip-a", received("tip-a", T0 + timedelta(days=1)))
    later = T0 + timedelta(days=2)
    assert s.tips_due(later) == ["tip-a"]
    assert s.tips_due(later) == ["tip-a"]  # not taken: a failed escalation is retried
    fold(
        s,
        "tip-a",
        TipEscalated(
            tip_id="tip-a",
            stage=TipStage.triage,
            due_at=T0 + timedelta(days=1),
            from_region_code="360102",
            to_region_code="360100",
            escalated_at=later,
        ),
    )
    assert s.tips_due(T0 + timedelta(days=99)) == []  # once per stage


def test_look_ups_are_folded_with_the_state() -> None:
    s = store()
    first = received("tip-a", T0).model_copy(
        update={"receipt_lookup": "r-1", "idempotency_lookup": "k-1"}
    )
    fold(s, "tip-a", first)
    fold(s, "tip-b", received("tip-b", T0))
    fold(s, "tip-c", received("tip-c", T0))
    fold(s, "tip-b", TipMerged(tip_id="tip-b", into_tip_id="tip-a", merged_at=T0))
    fold(s, "tip-c", TipMerged(tip_id="tip-c", into_tip_id="tip-a", merged_at=T0))
    assert s.tip_by_receipt.get("r-1") == "tip-a"
    assert s.tip_by_idempotency_key.get("k-1") == "tip-a"
    assert s.tip_by_receipt.get("r-2") is None
    assert s.merged_into.values("tip-a") == ["tip-b", "tip-c"]  # in the order merged
