"""Events on ``evaluation.events``: meetings, the verifiable draw, ballots, tallies,
feedback, publication, look-backs. ``ProblemRaised`` is the contract intake consumes.

Ballot secrecy: no event links a ballot token (or its hash) to a representative, and
no readable event links a ballot's content to a token or to a moment. Spending a
token (``BallotTokenSpent``: hash, no content) and dropping its content into the
meeting's box (``BallotSealed``: ciphertext under the box key, no hash, no time) are
separate events; at close the box is opened once into ``BallotBoxOpened`` (every
valid ballot, shuffled, no token, no time) and the box key is shredded.
``BallotCast`` is the former, linkable form: still read when replaying old topics,
no longer written."""

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
    comment: str = Field(
        default="",
        description="in BallotBoxOpened: sealed under the meeting's comments key "
        "(subject ballot-comments:<meeting id>); clear text only in the former BallotCast",
    )


class RaisedOnBallot(_Part):
    agency_id: str
    description: str


class BallotContent(_Part):
    """What a ballot says, and nothing about who or when. Comments and problems'
    descriptions are sealed under the meeting's comments key (ballot_text_subject)."""

    ratings: tuple[AgencyRating, ...]
    comments: str = Field(default="", description="sealed, like each rating's comment")
    problems: tuple[RaisedOnBallot, ...] = ()


class BoxedBallot(_Part):
    """The plaintext inside a ``BallotSealed`` record, readable only with the box key
    (shredded at close). The hash lets the close drop spoiled ballots and check that
    every spent token has exactly one content."""

    token_hash: str
    content: BallotContent


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
    """The former, linkable form (hash, content and time together): read when
    replaying old topics, never written since the ballot box."""

    meeting_id: str
    token_hash: str
    channel: BallotChannel
    ratings: tuple[AgencyRating, ...]
    comments: str = ""
    problems: tuple[RaisedOnBallot, ...] = ()
    cast_at: datetime


@event("evaluation.BallotTokenSpent")
class BallotTokenSpent(DomainEvent):
    """A ballot token was used: what the double-spend check needs, no content."""

    meeting_id: str
    token_hash: str
    channel: BallotChannel
    spent_at: datetime


@event("evaluation.BallotSealed")
class BallotSealed(DomainEvent):
    """One ballot dropped into the meeting's box: a ``BoxedBallot`` sealed under the
    box key (subject ballot-box:<meeting id>). No hash, no time in the clear."""

    meeting_id: str
    sealed: str


@event("evaluation.BallotBoxOpened")
class BallotBoxOpened(DomainEvent):
    """At close: the content of every valid ballot as one batch, in an order shuffled
    with a secret seed after a canonical sort, so neither the order nor any field
    ties a content to a token or a casting time. The tally is recomputed from this."""

    meeting_id: str
    ballots: tuple[BallotContent, ...]
    sealed_records: int = Field(description="BallotSealed records opened")
    spoiled_excluded: int = Field(description="contents dropped because their token was spoiled")
    opened_at: datetime


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
    min_valid_ballots: int = Field(
        default=0, description="campaign rule: fewer valid ballots withhold an agency's result"
    )
    tallied_at: datetime


@event("evaluation.ResultsFedBack")
class ResultsFedBack(DomainEvent):
    """To the agency. Comments are no longer copied here (``comments`` is empty in new
    events): an office reads them through ``BallotCommentsRead``. Below the campaign's
    minimum of valid ballots the result is withheld and its figures are zero."""

    meeting_id: str
    agency_id: str
    result: AgencyResult
    comments: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    comments_count: int = 0
    withheld: bool = False
    fed_back_at: datetime


@event("evaluation.ResultsPublished")
class ResultsPublished(DomainEvent):
    """``results`` holds only agencies with at least ``min_valid_ballots`` valid
    ballots; the others are listed in ``withheld`` with no figures."""

    meeting_id: str
    campaign_id: str
    region_code: str
    valid_ballots: int
    results: tuple[AgencyResult, ...]
    min_valid_ballots: int = 0
    withheld: tuple[str, ...] = Field(
        default=(), description="agency ids whose result is withheld: too few valid ballots"
    )
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
    # True when the agency's result was withheld (too few valid ballots): the rate is
    # then 0.0, not the votes, and only problems raised can have opened the look-back.
    rate_withheld: bool = False


@event("evaluation.LookBackCompleted")
class LookBackCompleted(DomainEvent):
    meeting_id: str
    lookback_id: str
    agency_id: str
    findings: str
    completed_at: datetime


def ballot_text_subject(meeting_id: str) -> str:
    """The key-store subject whose key seals what representatives wrote at a meeting
    (comments, problems raised). Part of the contract: intake opens a raised problem
    with it to file the tip, in the key store the two services share."""
    return f"ballot-comments:{meeting_id}"


@event("evaluation.ProblemRaised")
class ProblemRaised(DomainEvent):
    """A problem a representative wrote on a ballot, forwarded to intake as a tip
    (subject = meeting id). Carries nothing that identifies the voter. ``description``
    is sealed under :func:`ballot_text_subject` (events recorded before sealing hold
    it in clear; ``shared.privacy.is_sealed`` tells which)."""

    meeting_id: str
    raised_id: str
    campaign_id: str
    agency_id: str
    region_code: str
    description: str
    raised_at: datetime


class _Reading(DomainEvent):
    """A recorded unsealing: who read, for which office, why."""

    meeting_id: str
    reader: str = Field(description="the actor (role:id@region)")
    office_id: str
    purpose: str
    read_at: datetime


@event("evaluation.BallotCommentsRead")
class BallotCommentsRead(_Reading):
    """An officer unsealed the meeting's ballot comments: who, for which office, why."""


@event("evaluation.RepresentativesSheetRead")
class RepresentativesSheetRead(_Reading):
    """An officer unsealed the representatives' names and contacts: who, office, why."""
