"""Meetings, tallies, feedback, publication, look-backs, problems raised on ballots.
Ballots are counted per meeting only: nothing here could link a ballot to a person.
An agency's result below the campaign's minimum of valid ballots gets no figures at
all (status ``withheld``). Sealed records, the opened batch and the recorded
readings are on the timeline only. Every row here is attributed from the meeting's
own stream, never from other topics; the former ``BallotCast`` still replays."""

from __future__ import annotations

from typing import Any

from services.reporting.readmodels.projections.registry import (
    derived,
    moved,
    projects,
    scope_of,
    stream_row,
    ts,
)
from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.events import evaluation as ev
from shared.events.reader import EnvelopeAttributes

_meeting = stream_row("meeting")


@projects(ev.EvaluationMeetingScheduled)
def scheduled(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.EvaluationMeetingScheduled
) -> None:
    meeting = _meeting(uow, envelope, event)
    meeting.update(
        campaign_id=event.campaign_id,
        region_code=event.region_code,
        status="scheduled",
        ref=event.office_id,
        opened_at=ts(event.scheduled_at),
    )
    # Each evaluated agency's result row, with the region the meeting names for it.
    for agency in event.agencies:
        row = _result(uow, envelope, meeting, agency.agency_id)
        row.update(region_code=agency.region_code, status="scheduled")


projects(ev.PoolFrozen)(moved(_meeting, "pool_frozen"))
projects(ev.RepresentativesDrawn)(moved(_meeting, "drawn"))
projects(ev.BallotsIssued)(moved(_meeting, "voting"))


@projects(
    ev.RepresentativeReplaced,
    ev.AttendanceRecorded,
    ev.BallotSealed,
    ev.BallotBoxOpened,
    ev.BallotCommentsRead,
    ev.RepresentativesSheetRead,
)
def timeline_only(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
    """Recorded on the meeting's timeline; no figure changes."""


@projects(ev.BallotTokenSpent, ev.BallotCast)
def ballot_cast(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
    _meeting(uow, envelope, event)["ballots"] += 1


@projects(ev.BallotSpoiled)
def ballot_spoiled(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.BallotSpoiled) -> None:
    if event.was_cast:
        row = _meeting(uow, envelope, event)
        row["ballots"] = max(row["ballots"] - 1, 0)


@projects(ev.MeetingClosed)
def closed(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.MeetingClosed) -> None:
    row = _meeting(uow, envelope, event)
    row.update(status="closed", ballots=event.ballots_cast, completed_at=ts(event.closed_at))


def _result(
    uow: UnitOfWork, envelope: EnvelopeAttributes, meeting: dict[str, Any], agency_id: str
) -> dict[str, Any]:
    row = derived(uow, "evaluation_result", f"{meeting['subject']}:{agency_id}", envelope)
    row.update(campaign_id=meeting["campaign_id"] or envelope["campaignid"], agency_id=agency_id)
    if not row["region_code"]:
        row["region_code"] = meeting["region_code"]
    return row


def _result_row(
    uow: UnitOfWork, envelope: EnvelopeAttributes, meeting: dict[str, Any], result: ev.AgencyResult
) -> dict[str, Any]:
    row = _result(uow, envelope, meeting, result.agency_id)
    row.update(
        ballots=result.valid,
        satisfied=result.satisfied + result.basically_satisfied,
        dissatisfied=result.dissatisfied,
    )
    return row


@projects(ev.EvaluationTallied)
def tallied(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.EvaluationTallied) -> None:
    meeting = _meeting(uow, envelope, event)
    meeting.update(status="tallied", campaign_id=event.campaign_id or meeting["campaign_id"])
    if not meeting["region_code"]:
        meeting["region_code"] = event.region_code
    for result in event.results:
        if result.valid < event.min_valid_ballots:
            _result(uow, envelope, meeting, result.agency_id).update(
                status="withheld", opened_at=ts(event.tallied_at)
            )
            continue
        _result_row(uow, envelope, meeting, result).update(
            status="tallied", opened_at=ts(event.tallied_at)
        )


@projects(ev.ResultsFedBack)
def fed_back(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.ResultsFedBack) -> None:
    meeting = _meeting(uow, envelope, event)
    if event.withheld:
        _result(uow, envelope, meeting, event.agency_id)["flag"] = 1
        return
    _result_row(uow, envelope, meeting, event.result)["flag"] = 1


@projects(ev.ResultsPublished)
def published(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.ResultsPublished) -> None:
    meeting = _meeting(uow, envelope, event)
    meeting["published"] = 1
    for result in event.results:
        row = _result_row(uow, envelope, meeting, result)
        row.update(published=1, status="published")
    for agency_id in event.withheld:
        _result(uow, envelope, meeting, agency_id)["status"] = "withheld"


@projects(ev.LookBackOpened)
def lookback_opened(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.LookBackOpened
) -> None:
    meeting = _meeting(uow, envelope, event)
    result = _result(uow, envelope, meeting, event.agency_id)
    row = derived(uow, "lookback", event.lookback_id, envelope)
    row.update(
        campaign_id=meeting["campaign_id"] or envelope["campaignid"],
        agency_id=event.agency_id,
        region_code=result["region_code"],
        status="open",
        opened_at=ts(event.opened_at),
    )


@projects(ev.LookBackCompleted)
def lookback_completed(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.LookBackCompleted
) -> None:
    row = derived(uow, "lookback", event.lookback_id, envelope)
    if not row["agency_id"]:
        result = _result(uow, envelope, _meeting(uow, envelope, event), event.agency_id)
        row.update(agency_id=event.agency_id, region_code=result["region_code"])
    row.update(status="completed", completed_at=ts(event.completed_at))


@projects(ev.ProblemRaised)
def problem_raised(uow: UnitOfWork, envelope: EnvelopeAttributes, event: ev.ProblemRaised) -> None:
    row = derived(uow, "raised_problem", event.raised_id, envelope)
    row.update(
        **scope_of(event),
        status="raised",
        opened_at=ts(event.raised_at),
    )
