"""Rectification's samples: items on their ways to verification or escalation, a
typical case with its referrals, and a regulation adopted."""

from __future__ import annotations

from datetime import date, timedelta

from shared.events import rectification as r
from shared.vocabulary import ProblemCategory, Severity
from tests.reporting.sample_events.log import CAMPAIGN, EventLog


def item_story(log: EventLog, problem: str, agency: str, region: str, *, verify: bool) -> str:
    item = f"rect-{problem}"
    add = log.stream(item, region)
    add(
        r.RectificationOpened(
            item_id=item,
            problem_id=problem,
            campaign_id=CAMPAIGN,
            agency_id=agency,
            region_code=region,
            category=ProblemCategory.fair,
            kind="arbitrary_fine",
            severity=Severity.medium,
            summary="随意罚款",
            responsible_person=r.PLACEHOLDER_RESPONSIBLE_PERSON,
            due_on=(log.now + timedelta(days=45)).date(),
            due_lead_days=7,
            escalation_grace_days=7,
            rectification_ends_on=date(2017, 1, 31),
            campaign_rules_known=True,
            opened_at=log.now,
        )
    )
    if verify:
        _completed_and_verified(log, item, region, "退还罚款", days=2)
    return item


def _completed_and_verified(
    log: EventLog, item: str, region: str, measures: str, *, days: int
) -> None:
    """Completed, then verified by the region's office ``days`` later."""
    add = log.stream(item, region)
    add(r.RectificationCompleted(item_id=item, measures=measures, completed_at=log.now))
    add(
        r.RectificationVerified(
            item_id=item, office=f"office-{region}", verified_at=log.now + timedelta(days=days)
        )
    )


def returned_item_story(log: EventLog, problem: str, agency: str, region: str) -> str:
    """An item returned once, then completed and verified on time."""
    item = item_story(log, problem, agency, region, verify=False)
    add = log.stream(item, region)
    add(r.ResponsiblePersonNamed(item_id=item, responsible_person="副局长", named_at=log.now))
    add(
        r.RectificationProgressReported(
            item_id=item, note="进行中", percent=50, reported_at=log.now
        )
    )
    add(r.RectificationCompleted(item_id=item, measures="退还", completed_at=log.now))
    add(
        r.RectificationReturned(
            item_id=item, office=f"office-{region}", reasons="证据不足", returned_at=log.now
        )
    )
    _completed_and_verified(log, item, region, "退还并整改", days=5)
    return item


def extended_item_story(log: EventLog, problem: str, agency: str, region: str) -> str:
    """An item whose extension is asked, declined, granted; then due, overdue, escalated."""
    item = item_story(log, problem, agency, region, verify=False)
    add = log.stream(item, region)
    due = (log.now + timedelta(days=30)).date()
    add(
        r.RectificationExtensionRequested(
            item_id=item, requested_due_on=due, reason="复杂", requested_at=log.now
        )
    )
    add(
        r.RectificationExtensionDeclined(
            item_id=item, office=f"office-{region}", reasons="理由不充分", declined_at=log.now
        )
    )
    add(
        r.RectificationExtended(
            item_id=item,
            previous_due_on=due,
            due_on=due,
            reason="复杂",
            office=f"office-{region}",
            extended_at=log.now,
        )
    )
    placed = {"item_id": item, "agency_id": agency, "region_code": region, "due_on": due}
    add(r.RectificationDue(**placed, at=log.now))
    add(r.RectificationOverdue(**placed, at=log.now))
    add(r.RectificationEscalated(**placed, escalated_to_region="360000", at=log.now))
    return item


def case_story(log: EventLog, key: str, problem: str, agency: str, region: str) -> str:
    """A case referred twice (one referral acknowledged, one overdue), exposed, and
    ending in accountability."""
    case = f"case-{key}"
    add = log.stream(case, region)
    add(
        r.CaseOpened(
            case_id=case,
            campaign_id=CAMPAIGN,
            region_code=region,
            kind=r.CaseKind.abuse_of_power,
            origin=r.CaseOrigin.tip,
            title="滥用职权案",
            summary="概要",
            problem_ids=(problem,),
            agency_ids=(agency,),
            opened_by="legal_office:o:360000",
            opened_at=log.now,
        )
    )

    def refer(n: int, body: r.ReferralBody, receiving_body: str, reason: str) -> str:
        referral = f"ref-{key}-{n}"
        add(
            r.CaseReferred(
                case_id=case,
                referral_id=referral,
                body=body,
                receiving_body=receiving_body,
                reason=reason,
                acknowledge_by=(log.now + timedelta(days=15)).date(),
                referred_at=log.now,
            )
        )
        return referral

    acknowledged = refer(1, r.ReferralBody.discipline_inspection, "纪委", "违纪")
    add(
        r.ReferralAcknowledged(
            case_id=case, referral_id=acknowledged, reference_no="纪字1号", acknowledged_at=log.now
        )
    )
    overdue = refer(2, r.ReferralBody.procuratorate, "检察院", "涉嫌犯罪")
    add(
        r.ReferralOverdue(
            case_id=case,
            referral_id=overdue,
            receiving_body="检察院",
            acknowledge_by=log.now.date(),
            at=log.now,
        )
    )
    add(
        r.CaseExposed(
            case_id=case,
            headline="典型案例",
            redacted_summary="某局",
            channel="江西日报",
            exposed_at=log.now,
        )
    )
    add(
        r.AccountabilityImposed(
            case_id=case,
            decision_id=f"dec-{key}",
            target=r.AccountabilityTarget.individual,
            target_ref="p-1",
            grounds=(r.AccountabilityGround.case_conduct,),
            measure=r.AccountabilityMeasure.demerit,
            decided_by="纪委",
            decided_at=log.now,
        )
    )
    return case


def regulation_story(log: EventLog, key: str, problem: str, agency: str, region: str) -> None:
    log.add(
        f"reg-{key}",
        r.RegulationAdopted(
            regulation_id=f"reg-{key}",
            campaign_id=CAMPAIGN,
            region_code=region,
            agency_id=agency,
            kind=r.RegulationKind.internal_system,
            title="罚没款管理办法",
            problem_ids=(problem,),
            adopted_on=log.now.date(),
            recorded_at=log.now,
        ),
        region=region,
    )
