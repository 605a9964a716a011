"""What closing a meeting publishes once the box is opened: the tally, the feedback
to each agency, the problems raised, the look-backs; and what publication may show.
Pure."""

from __future__ import annotations

from collections.abc import Sequence

from services.evaluation.domain.commands import CloseMeeting
from services.evaluation.domain.tally import TALLY_ALGORITHM, Tally, counts
from shared.events.base import DomainEvent
from shared.events.evaluation import (
    AgencyResult,
    BallotContent,
    EvaluationMeetingScheduled,
    EvaluationTallied,
    LookBackOpened,
    ProblemRaised,
    ResultsFedBack,
)


def lookback_id(meeting_id: str, agency_id: str) -> str:
    return f"lb-{meeting_id}-{agency_id}"


def lookback_reasons(
    dissatisfaction_rate: float, problems_raised: int, thresholds: CloseMeeting
) -> tuple[str, ...]:
    """At or above either threshold opens a look-back (回头看)."""
    reasons = []
    if dissatisfaction_rate >= thresholds.lookback_dissatisfaction_rate:
        reasons.append("dissatisfaction_rate")
    if problems_raised >= thresholds.lookback_problems_raised:
        reasons.append("problems_raised")
    return tuple(reasons)


def publishable(result: AgencyResult, min_valid_ballots: int) -> bool:
    """Below the campaign's minimum, an agency's figures would show a few votes."""
    return result.valid >= min_valid_ballots


def withheld_result(agency_id: str) -> AgencyResult:
    """No figures: what an agency's result says when it is withheld."""
    return AgencyResult(
        agency_id=agency_id,
        satisfied=0,
        basically_satisfied=0,
        dissatisfied=0,
        valid=0,
        satisfaction_rate=0.0,
        dissatisfaction_rate=0.0,
        rank=0,
        problems_raised=0,
    )


def _comments_count(valid: Sequence[BallotContent], agency_id: str) -> int:
    return sum(1 for b in valid for r in b.ratings if r.agency_id == agency_id and r.comment)


def after_tally(
    c: CloseMeeting,
    meeting: EvaluationMeetingScheduled,
    counted: Tally,
    valid: Sequence[BallotContent],
) -> list[DomainEvent]:
    """``EvaluationTallied``, then per agency ``ResultsFedBack``, the problems raised
    and the look-backs opened."""
    events: list[DomainEvent] = [
        EvaluationTallied(
            meeting_id=meeting.meeting_id,
            campaign_id=meeting.campaign_id,
            region_code=meeting.region_code,
            algorithm=TALLY_ALGORITHM,
            **counts(counted),
            results=counted.results,
            lookback_dissatisfaction_rate=c.lookback_dissatisfaction_rate,
            lookback_problems_raised=c.lookback_problems_raised,
            min_valid_ballots=c.min_valid_ballots,
            tallied_at=c.at,
        ),
    ]
    by_agency = {r.agency_id: r for r in counted.results}
    for agency in meeting.agencies:
        result = by_agency[agency.agency_id]
        shown = publishable(result, c.min_valid_ballots)
        events.append(
            ResultsFedBack(
                meeting_id=meeting.meeting_id,
                agency_id=agency.agency_id,
                result=result if shown else withheld_result(agency.agency_id),
                comments_count=_comments_count(valid, agency.agency_id) if shown else 0,
                withheld=not shown,
                fed_back_at=c.at,
            )
        )
    region_of = {a.agency_id: a.region_code for a in meeting.agencies}
    # Sorted, numbered and stamped at close time: nothing ties a problem to a ballot.
    raised = sorted((p.agency_id, p.description) for b in valid for p in b.problems)
    for index, (agency_id, description) in enumerate(raised, start=1):
        events.append(
            ProblemRaised(
                meeting_id=meeting.meeting_id,
                raised_id=f"{meeting.meeting_id}-p{index:03d}",
                campaign_id=meeting.campaign_id,
                agency_id=agency_id,
                region_code=region_of[agency_id],
                description=description,
                raised_at=c.at,
            )
        )
    for result in counted.results:
        shown = publishable(result, c.min_valid_ballots)
        # Below the minimum the rate is a few people's votes: it neither opens a
        # look-back nor travels in one. Problems raised are listed apart from ballots.
        reasons = lookback_reasons(result.dissatisfaction_rate, result.problems_raised, c)
        if not shown:
            reasons = tuple(r for r in reasons if r != "dissatisfaction_rate")
        if reasons:
            events.append(
                LookBackOpened(
                    meeting_id=meeting.meeting_id,
                    lookback_id=lookback_id(meeting.meeting_id, result.agency_id),
                    agency_id=result.agency_id,
                    reasons=reasons,
                    dissatisfaction_rate=result.dissatisfaction_rate if shown else 0.0,
                    problems_raised=result.problems_raised,
                    rate_withheld=not shown,
                    opened_at=c.at,
                )
            )
    return events
