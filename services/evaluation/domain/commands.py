"""Commands of a meeting. Each carries what the decision needs from outside: the
time ``at``, ballot tokens (generated outside), the campaign's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.events.evaluation import (
    AgencyRating,
    AgencyUnderEvaluation,
    BallotChannel,
    PoolEntry,
    RaisedOnBallot,
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
    token: str
    ratings: tuple[AgencyRating, ...]
    comments: str
    problems: tuple[RaisedOnBallot, ...]
    channel: BallotChannel
    at: datetime


@dataclass(frozen=True)
class SpoilBallot:
    token: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class CloseMeeting:
    lookback_dissatisfaction_rate: float
    lookback_problems_raised: int
    at: datetime


@dataclass(frozen=True)
class PublishResults:
    at: datetime


@dataclass(frozen=True)
class CompleteLookBack:
    agency_id: str
    findings: str
    at: datetime


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
)
