"""Commands of a meeting. Each carries what the decision needs from outside: the
time ``at``, ballot tokens (generated outside), the campaign's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.events.evaluation import (
    AgencyUnderEvaluation,
    BallotChannel,
    BallotContent,
    BoxedBallot,
    PoolEntry,
)


@dataclass(frozen=True)
class ScheduleMeeting:
    meeting_id: str
    campaign_id: str
    region_code: str
    office_id: str
    agencies: tuple[AgencyUnderEvaluation, ...]
    held_on: date
    place: str
    representatives: int
    reserve_size: int
    min_representatives: int
    reason_for_fewer: str
    at: datetime


@dataclass(frozen=True)
class FreezePool:
    """``candidates``: the regulated entities of the meeting's region (any agencies)."""

    candidates: tuple[PoolEntry, ...]
    at: datetime


@dataclass(frozen=True)
class DrawRepresentatives:
    randomness: str
    randomness_source: str
    at: datetime


@dataclass(frozen=True)
class ReplaceRepresentative:
    entity_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecordAttendance:
    attendee_entity_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class IssueBallots:
    tokens: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class CastBallot:
    """``content`` (comments already sealed) is checked here; ``sealed`` is the same
    ballot sealed under the box key outside, the only form of it that is recorded."""

    token: str
    content: BallotContent
    sealed: str
    channel: BallotChannel
    at: datetime


@dataclass(frozen=True)
class SpoilBallot:
    token: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class CloseMeeting:
    """``opened_box``: the box's records unsealed outside; ``shuffle_seed``: secret
    randomness (hex) for the batch's order, generated outside and never recorded."""

    lookback_dissatisfaction_rate: float
    lookback_problems_raised: int
    at: datetime
    min_valid_ballots: int = 1
    opened_box: tuple[BoxedBallot, ...] = ()
    shuffle_seed: str = ""


@dataclass(frozen=True)
class PublishResults:
    at: datetime


@dataclass(frozen=True)
class CompleteLookBack:
    agency_id: str
    findings: str
    at: datetime


@dataclass(frozen=True)
class _Reading:
    """A recorded unsealing: who reads, for which office, why."""

    reader: str
    office_id: str
    purpose: str
    at: datetime


@dataclass(frozen=True)
class ReadRepresentatives(_Reading):
    """Unsealing the representatives' sheet."""


@dataclass(frozen=True)
class ReadBallotComments(_Reading):
    """Unsealing the ballot comments."""


MeetingCommand = (
    ScheduleMeeting
    | FreezePool
    | DrawRepresentatives
    | ReplaceRepresentative
    | RecordAttendance
    | IssueBallots
    | CastBallot
    | SpoilBallot
    | CloseMeeting
    | PublishResults
    | CompleteLookBack
    | ReadRepresentatives
    | ReadBallotComments
)
