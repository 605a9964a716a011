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


def tip_story(log: EventLog, key: str, agency: str, region: str) -> str:
    """A tip received, accepted, assigned, substantiated: one problem found. Returns its id."""
    tip = f"tip-{key}"
    problem = f"prb-{key}"
    at = log.now
    log.add(
        tip,
        i.TipReceived(
            tip_id=tip,
            campaign_id=CAMPAIGN,
            channel=i.TipChannel.hotline,
            region_code=region,
            agency_id=agency,
            sealed_text=SEALED,
            occurred_on=date(2016, 9, 20),
            triage_due_at=at + timedelta(days=3),
            received_at=at,
        ),
        region=region,
    )
    log.add(
        tip,
        i.TipAccepted(tip_id=tip, verification_due_at=at + timedelta(days=15), accepted_at=log.now),
        region=region,
    )
    log.add(
        tip,
        i.TipAssigned(
            tip_id=tip,
            assignee=agency,
            verification_due_at=at + timedelta(days=15),
            assigned_at=log.now,
        ),
        region=region,
    )
    found = found_problem(problem, agency, region, ProblemCategory.fair)
    log.add(
        tip,
        i.TipSubstantiated(
            tip_id=tip,
            sealed_findings=SEALED,
            problems=(found,),
            backing_tip_ids=(tip,),
            phase=d.PhaseCode.finding,
            substantiated_at=log.now,
        ),
        region=region,
    )
    log.add(
        problem,
        i.ProblemFound(
            problem_id=problem,
            campaign_id=CAMPAIGN,
            agency_id=agency,
            region_code=region,
            category=ProblemCategory.fair,
            kind="arbitrary_fine",
            severity=Severity.medium,
            summary="随意罚款",
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
    first tip came in, which their triage deadlines count from."""
    for fate in ("rejected", "merged", "transferred", "escalated", "unsubstantiated"):
        tip = f"tip-{key}-{fate}"
        log.add(
            tip,
            i.TipReceived(
                tip_id=tip,
                campaign_id=CAMPAIGN,
                channel=i.TipChannel.website,
                region_code=region,
                agency_id=agency,
                sealed_text=SEALED,
                occurred_on=date(2016, 9, 1),
                triage_due_at=at + timedelta(days=3),
                received_at=log.now,
            ),
            region=region,
        )
        if fate == "rejected":
            log.add(
                tip,
                i.TipRejected(
                    tip_id=tip, sealed_reason=SEALED, referred_to="信访局", rejected_at=log.now
                ),
            )
        elif fate == "merged":
            log.add(tip, i.TipMerged(tip_id=tip, into_tip_id=f"tip-{key}", merged_at=log.now))
        elif fate == "transferred":
            log.add(
                tip,
                i.TipTransferred(
                    tip_id=tip,
                    from_region_code=region,
                    to_region_code=region,
                    sealed_reason=SEALED,
                    triage_due_at=log.now + timedelta(days=3),
                    transferred_at=log.now,
                ),
            )
        elif fate == "escalated":
            log.add(
                tip,
                i.TipEscalated(
                    tip_id=tip,
                    stage=i.TipStage.triage,
                    due_at=log.now,
                    from_region_code=region,
                    to_region_code="360000",
                    escalated_at=log.now,
                ),
            )
            log.add(
                tip,
                i.ContactDecrypted(
                    tip_id=tip,
                    decrypted_by="auditor:x:360000",
                    purpose="核实",
                    decrypted_at=log.now,
                ),
            )
            log.add(
                tip,
                i.TipTextDecrypted(
                    tip_id=tip,
                    read_by="legal_office@360000",
                    office="lo-360000",
                    role="legal_office",
                    region_code="360000",
                    purpose="核查",
                    decrypted_at=log.now,
                ),
            )
            log.add(
                tip,
                i.ContactErased(
                    tip_id=tip, erased_by="admin:x:360000", reason="申请删除", erased_at=log.now
                ),
            )
        else:
            log.add(
                tip,
                i.TipAccepted(
                    tip_id=tip,
                    verification_due_at=log.now + timedelta(days=15),
                    accepted_at=log.now,
                ),
            )
            log.add(
                tip,
                i.TipUnsubstantiated(tip_id=tip, sealed_reason=SEALED, unsubstantiated_at=log.now),
            )


def self_inspection_story(log: EventLog, key: str, agency: str, region: str) -> str:
    """A plan, a self-analysis and a report that finds a problem. Returns its id."""
    file_id = f"si-{agency}-{key}"
    log.add(
        file_id,
        i.ImplementationPlanFiled(
            agency_id=agency,
            campaign_id=CAMPAIGN,
            plan_id=f"plan-{key}",
            targeted_categories=(ProblemCategory.fair,),
            methods="自查自纠",
            goals="规范执法",
            phase=d.PhaseCode.mobilisation,
            filed_at=log.now,
        ),
        region=region,
    )
    log.add(
        file_id,
        i.SelfAnalysisFiled(
            agency_id=agency,
            campaign_id=CAMPAIGN,
            analysis_id=f"an-{key}",
            unit="法制科",
            categories=(ProblemCategory.procedural,),
            findings="程序不规范",
            phase=d.PhaseCode.finding,
            filed_at=log.now,
        ),
        region=region,
    )
    si_problem = f"prb-{key}-si"
    log.add(
        file_id,
        i.SelfInspectionReportFiled(
            agency_id=agency,
            campaign_id=CAMPAIGN,
            report_id=f"rep-{key}",
            summary="自查报告",
            problems=(found_problem(si_problem, agency, region, ProblemCategory.procedural),),
            phase=d.PhaseCode.finding,
            filed_at=log.now,
        ),
        region=region,
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
