"""Evaluation's samples: a meeting from scheduling to the look-back it opens."""

from __future__ import annotations

from datetime import date

from shared.events import evaluation as ev
from tests.reporting.sample_events.log import CAMPAIGN, EventLog

_FIGURES = (
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "valid",
    "satisfaction_rate",
    "dissatisfaction_rate",
    "rank",
    "problems_raised",
)


def meeting_story(
    log: EventLog,
    key: str,
    agency: str,
    region: str,
    *,
    satisfied: int = 2,
    dissatisfied: int = 1,
    min_valid_ballots: int = 1,
) -> None:
    """``min_valid_ballots`` above the ballots cast withholds the result, as the
    decider does: no figures fed back or published."""
    meeting = f"meet-{key}"
    entities = tuple(f"ent-{key}-{n}" for n in range(3))
    add = log.stream(meeting, region)
    add(
        ev.EvaluationMeetingScheduled(
            meeting_id=meeting,
            campaign_id=CAMPAIGN,
            region_code=region,
            office_id=f"office-{region}",
            agencies=(ev.AgencyUnderEvaluation(agency_id=agency, region_code=region),),
            held_on=date(2017, 2, 10),
            place="会议室",
            representatives=3,
            reserve_size=1,
            min_representatives=3,
            scheduled_at=log.now,
        )
    )
    add(
        ev.PoolFrozen(
            meeting_id=meeting,
            algorithm="sha256-v1",
            pool_hash="0" * 64,
            agency_ids=(agency,),
            representatives=3,
            reserve_size=1,
            entities=tuple(ev.PoolEntry(entity_id=e, agency_ids=(agency,)) for e in entities),
            frozen_at=log.now,
        )
    )
    add(
        ev.RepresentativesDrawn(
            meeting_id=meeting,
            algorithm="sha256-v1",
            pool_hash="0" * 64,
            randomness="r",
            seed="1" * 64,
            quotas=(ev.StratumQuota(agency_id=agency, weight=3, quota=3, drawn=3),),
            representatives=tuple(
                ev.DrawnRepresentative(position=n + 1, entity_id=e, stratum=agency)
                for n, e in enumerate(entities)
            ),
            reserves=(),
            drawn_at=log.now,
        )
    )
    add(
        ev.RepresentativeReplaced(
            meeting_id=meeting,
            declined_entity_id=entities[0],
            replacement_entity_id=f"ent-{key}-r",
            reserve_position=1,
            replaced_at=log.now,
        )
    )
    add(
        ev.AttendanceRecorded(
            meeting_id=meeting,
            attendee_entity_ids=entities,
            absent_entity_ids=(),
            recorded_at=log.now,
        )
    )
    total = satisfied + dissatisfied
    add(
        ev.BallotsIssued(
            meeting_id=meeting,
            count=total + 1,
            token_hashes=tuple(f"{n:064x}" for n in range(total + 1)),
            issued_at=log.now,
        )
    )
    contents = []
    for n in range(total):
        rating = ev.Rating.satisfied if n < satisfied else ev.Rating.dissatisfied
        problems = (ev.RaisedOnBallot(agency_id=agency, description="态度粗暴"),) if n == 0 else ()
        contents.append(
            ev.BallotContent(
                ratings=(ev.AgencyRating(agency_id=agency, rating=rating),), problems=problems
            )
        )
        if n == 0:  # the former, linkable form, as on topics written before the ballot box
            add(
                ev.BallotCast(
                    meeting_id=meeting,
                    token_hash=f"{n:064x}",
                    channel=ev.BallotChannel.phone,
                    ratings=contents[-1].ratings,
                    problems=problems,
                    cast_at=log.now,
                )
            )
            continue
        add(
            ev.BallotTokenSpent(
                meeting_id=meeting,
                token_hash=f"{n:064x}",
                channel=ev.BallotChannel.phone,
                spent_at=log.now,
            )
        )
        # A stand-in for the box key's ciphertext: sample data has no key store.
        add(ev.BallotSealed(meeting_id=meeting, sealed=f"sample:{n}"))
    add(
        ev.BallotSpoiled(
            meeting_id=meeting, token_hash=f"{total:064x}", was_cast=False, spoiled_at=log.now
        )
    )
    # One ballot issued was spoiled uncast; the close and the tally report the same counts.
    counts = {"ballots_issued": total + 1, "ballots_cast": total, "ballots_spoiled": 1}
    add(ev.MeetingClosed(meeting_id=meeting, **counts, ballots_uncast=0, closed_at=log.now))
    add(
        ev.BallotBoxOpened(
            meeting_id=meeting,
            ballots=tuple(contents),
            sealed_records=total,
            spoiled_excluded=0,
            opened_at=log.now,
        )
    )
    for read in (ev.RepresentativesSheetRead, ev.BallotCommentsRead):
        add(
            read(
                meeting_id=meeting,
                reader=f"legal_office:office-{region}@{region}",
                office_id=f"office-{region}",
                purpose="反馈整改",
                read_at=log.now,
            )
        )
    result = ev.AgencyResult(
        agency_id=agency,
        satisfied=satisfied,
        basically_satisfied=0,
        dissatisfied=dissatisfied,
        valid=total,
        satisfaction_rate=satisfied / total,
        dissatisfaction_rate=dissatisfied / total,
        rank=1,
        problems_raised=1,
    )
    add(
        ev.EvaluationTallied(
            meeting_id=meeting,
            campaign_id=CAMPAIGN,
            region_code=region,
            algorithm="tally-v1",
            **counts,
            ballots_uncast=0,
            valid_ballots=total,
            results=(result,),
            lookback_dissatisfaction_rate=0.2,
            lookback_problems_raised=5,
            # The sample's meetings are tiny (three voters): its rule lets them publish.
            min_valid_ballots=min_valid_ballots,
            tallied_at=log.now,
        )
    )
    withheld = total < min_valid_ballots
    shown = result if not withheld else result.model_copy(update=dict.fromkeys(_FIGURES, 0))
    add(
        ev.ResultsFedBack(
            meeting_id=meeting,
            agency_id=agency,
            result=shown,
            withheld=withheld,
            fed_back_at=log.now,
        )
    )
    add(
        ev.ResultsPublished(
            meeting_id=meeting,
            campaign_id=CAMPAIGN,
            region_code=region,
            valid_ballots=total,
            results=() if withheld else (result,),
            min_valid_ballots=min_valid_ballots,
            withheld=(agency,) if withheld else (),
            published_at=log.now,
        )
    )
    add(
        ev.LookBackOpened(
            meeting_id=meeting,
            lookback_id=f"lb-{key}",
            agency_id=agency,
            reasons=("不满意率超过20%",),
            dissatisfaction_rate=dissatisfied / total,
            problems_raised=1,
            opened_at=log.now,
        )
    )
    add(
        ev.LookBackCompleted(
            meeting_id=meeting,
            lookback_id=f"lb-{key}",
            agency_id=agency,
            findings="已整改",
            completed_at=log.now,
        )
    )
    add(
        ev.ProblemRaised(
            meeting_id=meeting,
            raised_id=f"raised-{key}",
            campaign_id=CAMPAIGN,
            agency_id=agency,
            region_code=region,
            description="态度粗暴",
            raised_at=log.now,
        )
    )
