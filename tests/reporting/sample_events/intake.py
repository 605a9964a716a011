"""Intake's samples: a tip that finds a problem, the other fates of a tip, and an
agency's self-inspection file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.events import directory as d
from shared.events import intake as i
from shared.vocabulary import ProblemCategory, Severity
from tests.reporting.sample_events.log import CAMPAIGN, SEALED, EventLog


def found_problem(
    problem_id: str, agency: str, region: str, category: ProblemCategory
) -> i.FoundProblem:
    return i.FoundProblem(
        problem_id=problem_id,
        agency_id=agency,
        region_code=region,
        category=category,
        kind="arbitrary_fine",
        severity=Severity.medium,
        summary="随意罚款",
    )


def _received(
    tip: str,
    agency: str,
    region: str,
    channel: i.TipChannel,
    occurred_on: date,
    *,
    counted_from: datetime,
    at: datetime,
) -> i.TipReceived:
    """A tip of the sample campaign, its triage due three days after ``counted_from``."""
    return i.TipReceived(
        tip_id=tip,
        campaign_id=CAMPAIGN,
        channel=channel,
        region_code=region,
        agency_id=agency,
        sealed_text=SEALED,
        occurred_on=occurred_on,
        triage_due_at=counted_from + timedelta(days=3),
        received_at=at,
    )


def tip_story(log: EventLog, key: str, agency: str, region: str) -> str:
    """A tip received, accepted, assigned, substantiated: one problem found. Returns its id."""
    tip = f"tip-{key}"
    problem = f"prb-{key}"
    at = log.now
    add = log.stream(tip, region)
    add(
        _received(
            tip, agency, region, i.TipChannel.hotline, date(2016, 9, 20), counted_from=at, at=at
        )
    )
    add(i.TipAccepted(tip_id=tip, verification_due_at=at + timedelta(days=15), accepted_at=log.now))
    add(
        i.TipAssigned(
            tip_id=tip,
            assignee=agency,
            verification_due_at=at + timedelta(days=15),
            assigned_at=log.now,
        )
    )
    found = found_problem(problem, agency, region, ProblemCategory.fair)
    add(
        i.TipSubstantiated(
            tip_id=tip,
            sealed_findings=SEALED,
            problems=(found,),
            backing_tip_ids=(tip,),
            phase=d.PhaseCode.finding,
            substantiated_at=log.now,
        )
    )
    log.add(
        problem,
        i.ProblemFound(
            **found.model_dump(),
            campaign_id=CAMPAIGN,
            source=i.ProblemSource.tip,
            source_tip_ids=(tip,),
            phase=d.PhaseCode.finding,
            found_at=log.now,
        ),
        region=region,
    )
    return problem


def other_tips_story(log: EventLog, key: str, agency: str, region: str, at: datetime) -> None:
    """One tip for every other fate: rejected, merged, transferred, escalated (its
    contact read and erased, its text read), unsubstantiated. ``at``: when the story's
    first tip came in, which their triage deadlines count from. Only the receipt
    carries the region."""
    for fate in ("rejected", "merged", "transferred", "escalated", "unsubstantiated"):
        tip = f"tip-{key}-{fate}"
        channel, occurred_on = i.TipChannel.website, date(2016, 9, 1)
        received = _received(tip, agency, region, channel, occurred_on, counted_from=at, at=log.now)
        log.add(tip, received, region=region)
        add = log.stream(tip)
        if fate == "rejected":
            add(
                i.TipRejected(
                    tip_id=tip, sealed_reason=SEALED, referred_to="信访局", rejected_at=log.now
                )
            )
        elif fate == "merged":
            add(i.TipMerged(tip_id=tip, into_tip_id=f"tip-{key}", merged_at=log.now))
        elif fate == "transferred":
            add(
                i.TipTransferred(
                    tip_id=tip,
                    from_region_code=region,
                    to_region_code=region,
                    sealed_reason=SEALED,
                    triage_due_at=log.now + timedelta(days=3),
                    transferred_at=log.now,
                )
            )
        elif fate == "escalated":
            add(
                i.TipEscalated(
                    tip_id=tip,
                    stage=i.TipStage.triage,
                    due_at=log.now,
                    from_region_code=region,
                    to_region_code="360000",
                    escalated_at=log.now,
                )
            )
            add(
                i.ContactDecrypted(
                    tip_id=tip,
                    decrypted_by="auditor:x:360000",
                    purpose="核实",
                    decrypted_at=log.now,
                )
            )
            add(
                i.TipTextDecrypted(
                    tip_id=tip,
                    read_by="legal_office@360000",
                    office="lo-360000",
                    role="legal_office",
                    region_code="360000",
                    purpose="核查",
                    decrypted_at=log.now,
                )
            )
            add(
                i.ContactErased(
                    tip_id=tip, erased_by="admin:x:360000", reason="申请删除", erased_at=log.now
                )
            )
        else:
            add(
                i.TipAccepted(
                    tip_id=tip,
                    verification_due_at=log.now + timedelta(days=15),
                    accepted_at=log.now,
                )
            )
            add(i.TipUnsubstantiated(tip_id=tip, sealed_reason=SEALED, unsubstantiated_at=log.now))


def self_inspection_story(log: EventLog, key: str, agency: str, region: str) -> str:
    """A plan, a self-analysis and a report that finds a problem. Returns its id."""
    add = log.stream(f"si-{agency}-{key}", region)
    filed = {"agency_id": agency, "campaign_id": CAMPAIGN}
    add(
        i.ImplementationPlanFiled(
            **filed,
            plan_id=f"plan-{key}",
            targeted_categories=(ProblemCategory.fair,),
            methods="自查自纠",
            goals="规范执法",
            phase=d.PhaseCode.mobilisation,
            filed_at=log.now,
        )
    )
    add(
        i.SelfAnalysisFiled(
            **filed,
            analysis_id=f"an-{key}",
            unit="法制科",
            categories=(ProblemCategory.procedural,),
            findings="程序不规范",
            phase=d.PhaseCode.finding,
            filed_at=log.now,
        )
    )
    si_problem = f"prb-{key}-si"
    add(
        i.SelfInspectionReportFiled(
            **filed,
            report_id=f"rep-{key}",
            summary="自查报告",
            problems=(found_problem(si_problem, agency, region, ProblemCategory.procedural),),
            phase=d.PhaseCode.finding,
            filed_at=log.now,
        )
    )
    log.add(
        si_problem,
        i.ProblemFound(
            problem_id=si_problem,
            campaign_id=CAMPAIGN,
            agency_id=agency,
            region_code=region,
            category=ProblemCategory.procedural,
            kind="no_notice",
            severity=Severity.low,
            summary="未告知",
            source=i.ProblemSource.self_inspection,
            phase=d.PhaseCode.finding,
            found_at=log.now,
            source_report_id=f"rep-{key}",
        ),
        region=region,
    )
    return si_problem
