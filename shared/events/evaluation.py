"""Events on ``evaluation.events``: meetings, the verifiable draw, ballots, tallies,
feedback, publication, look-backs. ``ProblemRaised`` is the contract intake consumes.

Ballot secrecy: no event links a ballot token (or its hash) to a representative.
Representatives appear only in draw, replacement and attendance events; ballots
appear only as SHA-256 token hashes in issue, cast and spoil events."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.events.registry import event


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rating(StrEnum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意


class BallotChannel(StrEnum):
    phone = "phone"  # 代表用手机扫码投票
    teller = "teller"  # 计票员录入纸质票


class AgencyUnderEvaluation(_Part):
    agency_id: str
    name: str = ""
    region_code: str


class PoolEntry(_Part):
    """One regulated entity of the frozen pool with the evaluated agencies regulating it."""

    entity_id: str
    agency_ids: tuple[str, ...]


class StratumQuota(_Part):
    agency_id: str
    weight: int = Field(description="entities in the pool this agency regulates")
    quota: int = Field(description="seats by largest-remainder apportionment")
    drawn: int = Field(description="seats actually filled from this stratum")


class DrawnRepresentative(_Part):
    position: int = Field(ge=1)
    entity_id: str
    stratum: str = Field(description="agency id of the stratum, or '*' for shortfall seats")


class AgencyRating(_Part):
    agency_id: str
    rating: Rating
    comment: str = ""


class RaisedOnBallot(_Part):
    agency_id: str
    description: str


class AgencyResult(_Part):
    agency_id: str
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    valid: int
    satisfaction_rate: float
    dissatisfaction_rate: float
    rank: int
    problems_raised: int


@event("evaluation.EvaluationMeetingScheduled")
class EvaluationMeetingScheduled(DomainEvent):
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
    reason_for_fewer: str = ""
    scheduled_at: datetime


@event("evaluation.PoolFrozen")
class PoolFrozen(DomainEvent):
    """The exact pool, published so anyone can recompute the draw."""

    meeting_id: str
    algorithm: str
    pool_hash: str = Field(description="SHA-256 hex of the canonical pool document")
    agency_ids: tuple[str, ...]
    representatives: int
    reserve_size: int
    entities: tuple[PoolEntry, ...]
    frozen_at: datetime


@event("evaluation.RepresentativesDrawn")
class RepresentativesDrawn(DomainEvent):
    meeting_id: str
    algorithm: str
    pool_hash: str
    randomness: str = Field(description="public randomness supplied after the pool was frozen")
    randomness_source: str = ""
    seed: str = Field(description="SHA-256 hex of pool hash bytes || UTF-8 randomness")
    quotas: tuple[StratumQuota, ...]
    representatives: tuple[DrawnRepresentative, ...]
    reserves: tuple[str, ...]
    drawn_at: datetime


@event("evaluation.RepresentativeReplaced")
class RepresentativeReplaced(DomainEvent):
    meeting_id: str
    declined_entity_id: str
    replacement_entity_id: str
    reserve_position: int = Field(ge=1)
    reason: str = ""
    replaced_at: datetime


@event("evaluation.AttendanceRecorded")
class AttendanceRecorded(DomainEvent):
    meeting_id: str
    attendee_entity_ids: tuple[str, ...]
    absent_entity_ids: tuple[str, ...]
    recorded_at: datetime


@event("evaluation.BallotsIssued")
class BallotsIssued(DomainEvent):
    """Opens voting. Hashes are sorted so their order says nothing about who got which."""

    meeting_id: str
    count: int
    token_hashes: tuple[str, ...]
    issued_at: datetime


@event("evaluation.BallotCast")
class BallotCast(DomainEvent):
    meeting_id: str
    token_hash: str
    channel: BallotChannel
    ratings: tuple[AgencyRating, ...]
    comments: str = ""
    problems: tuple[RaisedOnBallot, ...] = ()
    cast_at: datetime


@event("evaluation.BallotSpoiled")
class BallotSpoiled(DomainEvent):
    meeting_id: str
    token_hash: str
    was_cast: bool
    reason: str = ""
    spoiled_at: datetime


@event("evaluation.MeetingClosed")
class MeetingClosed(DomainEvent):
    meeting_id: str
    ballots_issued: int
    ballots_cast: int
    ballots_spoiled: int
    ballots_uncast: int
    closed_at: datetime


@event("evaluation.EvaluationTallied")
class EvaluationTallied(DomainEvent):
    meeting_id: str
    campaign_id: str
    region_code: str
    algorithm: str
    ballots_issued: int
    ballots_cast: int
    ballots_spoiled: int
    ballots_uncast: int
    valid_ballots: int
    results: tuple[AgencyResult, ...]
    lookback_dissatisfaction_rate: float
    lookback_problems_raised: int
    tallied_at: datetime


@event("evaluation.ResultsFedBack")
class ResultsFedBack(DomainEvent):
    meeting_id: str
    agency_id: str
    result: AgencyResult
    comments: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    fed_back_at: datetime


@event("evaluation.ResultsPublished")
class ResultsPublished(DomainEvent):
    meeting_id: str
    campaign_id: str
    region_code: str
    valid_ballots: int
    results: tuple[AgencyResult, ...]
    published_at: datetime


@event("evaluation.LookBackOpened")
class LookBackOpened(DomainEvent):
    meeting_id: str
    lookback_id: str
    agency_id: str
    reasons: tuple[str, ...]
    dissatisfaction_rate: float
    problems_raised: int
    opened_at: datetime


@event("evaluation.LookBackCompleted")
class LookBackCompleted(DomainEvent):
    meeting_id: str
    lookback_id: str
    agency_id: str
    findings: str
    completed_at: datetime


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
