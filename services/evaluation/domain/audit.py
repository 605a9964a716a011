"""Recompute a meeting's tally from its events alone and compare it with the
recorded ``EvaluationTallied``: counts from the token events (issued, spent,
spoiled), figures from the published batch (``BallotBoxOpened``), or from the
former ``BallotCast`` events of meetings recorded before the ballot box."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.evaluation.domain.state import MeetingState
from services.evaluation.domain.tally import TALLY_COUNTS, Tally, legacy_valid, tally
from shared.errors import Conflict
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    BallotBoxOpened,
    BallotCast,
    BallotChannel,
    BallotContent,
    BallotsIssued,
    BallotSpoiled,
    BallotTokenSpent,
    EvaluationMeetingScheduled,
    EvaluationTallied,
)


@dataclass(frozen=True)
class TallyCheck:
    recomputed: Tally
    recorded: EvaluationTallied | None
    first_difference: str | None

    @property
    def matches(self) -> bool:
        return self.recorded is not None and self.first_difference is None


def recompute_tally(events: Iterable[DomainEvent]) -> TallyCheck:
    agencies: tuple[str, ...] = ()
    issued = 0
    spent: set[str] = set()
    legacy: list[BallotCast] = []
    spoiled: set[str] = set()
    batch: tuple[BallotContent, ...] = ()
    recorded: EvaluationTallied | None = None
    for event in events:
        match event:
            case EvaluationMeetingScheduled():
                agencies = tuple(a.agency_id for a in event.agencies)
            case BallotsIssued():
                issued = len(event.token_hashes)
            case BallotTokenSpent():
                spent.add(event.token_hash)
            case BallotCast():
                spent.add(event.token_hash)
                legacy.append(event)
            case BallotSpoiled():
                spoiled.add(event.token_hash)
            case BallotBoxOpened():
                batch = event.ballots
            case EvaluationTallied():
                recorded = event
    # A box opened under this code already holds the former casts' valid contents.
    valid = list(batch) if batch or not legacy else legacy_valid(legacy, spoiled)
    recomputed = tally(agencies, issued, spent, spoiled, valid)
    if recorded is None:
        return TallyCheck(recomputed, None, "no EvaluationTallied event recorded")
    return TallyCheck(recomputed, recorded, _first_difference(recorded, recomputed))


def check_recorded_tally(state: MeetingState) -> TallyCheck:
    """The meeting's tally recomputed from the events its state keeps, against the
    recorded one; refused before the tally."""
    if state.tallied is None:
        raise Conflict("尚未计票", "not tallied yet", field="status", code="wrong_status")
    return recompute_tally(tally_events(state))


def tally_events(state: MeetingState) -> list[DomainEvent]:
    """The events the tally depends on, as the state keeps them. The state holds the
    issued and spent token hashes but not their events, so those are rebuilt from
    the hashes (their times are not part of the count)."""
    assert state.scheduled is not None and state.tallied is not None
    meeting_id = state.scheduled.meeting_id
    issued = BallotsIssued(
        meeting_id=meeting_id,
        count=len(state.token_hashes),
        token_hashes=tuple(sorted(state.token_hashes)),
        issued_at=state.tallied.tallied_at,
    )
    legacy = {c.token_hash for c in state.legacy_casts}
    spent = [
        BallotTokenSpent(
            meeting_id=meeting_id,
            token_hash=h,
            channel=BallotChannel.phone,
            spent_at=state.tallied.tallied_at,
        )
        for h in sorted(state.spent - legacy)
    ]
    opened = [state.opened] if state.opened is not None else []
    return [
        state.scheduled,
        issued,
        *state.legacy_casts,
        *spent,
        *state.spoiled,
        *opened,
        state.tallied,
    ]


def _first_difference(recorded: EvaluationTallied, recomputed: Tally) -> str | None:
    for name in TALLY_COUNTS:
        want, got = getattr(recorded, name), getattr(recomputed, name)
        if want != got:
            return f"{name}: recorded {want}, recomputed {got}"
    for index, (want, got) in enumerate(zip(recorded.results, recomputed.results, strict=False)):
        if want != got:
            return f"results[{index}]: recorded {want.model_dump()}, recomputed {got.model_dump()}"
    if len(recorded.results) != len(recomputed.results):
        return f"results: recorded {len(recorded.results)}, recomputed {len(recomputed.results)}"
    return None
