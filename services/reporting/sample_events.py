"""A complete, consistent story of one agency's campaign as envelopes: every event
type of the platform at least once. Tests, the benchmark and demos use it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from services.reporting.readmodels.projector import RawRecord
from shared.codec import encode
from shared.envelope import CloudEvent
from shared.events import directory as d
from shared.events import evaluation as ev
from shared.events import intake as i
from shared.events import rectification as r
from shared.events.base import DomainEvent
from shared.ids import new_event_id
from shared.topics import TOPIC_OF_SERVICE
from shared.vocabulary import AdminLevel, Power, ProblemCategory, Sector, Severity

# Not the default campaign id: these samples share the broker with other tests.
CAMPAIGN = "reporting-sample-campaign"
START = datetime(2016, 10, 1, tzinfo=UTC)
# Intake seals every citizen's words; a sample carries a stand-in for the ciphertext.
SEALED = "aesgcm1:c2FtcGxlIG9ubHk="


@dataclass
class EventLog:
    """Envelopes with gapless per-subject sequences, on a clock that moves forward."""

    now: datetime = START
    sequences: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    envelopes: list[CloudEvent] = field(default_factory=list)

    def add(self, subject: str, event: DomainEvent, *, region: str = "") -> CloudEvent:
        self.now += timedelta(minutes=10)
        self.sequences[subject] += 1
        envelope = CloudEvent(
            id=new_event_id(),
            source=f"/{event.service()}",
            type=event.type_string(),
            subject=subject,
            time=self.now,
            dataschema=event.schema_id(),
            data=event.model_dump(mode="json"),
            sequence=self.sequences[subject],
            partitionkey=subject,
            campaignid=CAMPAIGN,
            regioncode=region,
            actor="admin:test:360000",
        )
        self.envelopes.append(envelope)
        return envelope

    def records(self) -> list[RawRecord]:
        """As Kafka records, one partition per topic, offsets in order."""
        offsets: defaultdict[str, int] = defaultdict(int)
        result = []
        for envelope in self.envelopes:
            topic = TOPIC_OF_SERVICE[envelope.type.split(".")[4]]
            record = encode(envelope)
            result.append(RawRecord(topic, 0, offsets[topic], record.key, record.value))
            offsets[topic] += 1
        return result


def topic_of(envelope: CloudEvent) -> str:
    return TOPIC_OF_SERVICE[envelope.type.split(".")[4]]


def campaign_record(region: str = "360000") -> d.CampaignRecord:
    phases = [
        (1, d.PhaseCode.mobilisation, "动员部署", date(2016, 10, 1), date(2016, 10, 31)),
        (2, d.PhaseCode.finding, "查找问题", date(2016, 11, 1), date(2016, 12, 31)),
        (3, d.PhaseCode.rectification, "整改落实", date(2017, 1, 1), date(2017, 1, 31)),
        (4, d.PhaseCode.evaluation, "群众评议", date(2017, 2, 1), date(2017, 2, 28)),
        (5, d.PhaseCode.summary, "总结提高", date(2017, 3, 1), date(2017, 3, 31)),
    ]
    return d.CampaignRecord(
        campaign_id=CAMPAIGN,
        name="行政执法不公专项治理",
        document_no="赣府厅字〔2016〕",
        region_code=region,
        phases=tuple(
            d.Phase(number=n, code=c, name_zh=z, starts_on=s, ends_on=e) for n, c, z, s, e in phases
        ),
    )


def register_campaign(log: EventLog) -> None:
    log.add(CAMPAIGN, d.CampaignRegistered(campaign=campaign_record()), region="360000")


def register_agency(log: EventLog, agency_id: str, region: str, name: str = "") -> None:
    record = d.AgencyRecord(
        agency_id=agency_id,
        name=name or f"{region}市场监督管理局",
        region_code=region,
        level=AdminLevel.county if not region.endswith("00") else AdminLevel.city,
        sector=Sector.market_supervision,
        powers=(Power.penalty, Power.inspection),
    )
    log.add(agency_id, d.AgencyRegistered(agency=record), region=region)


def _found(problem_id: str, agency: str, region: str, category: ProblemCategory) -> i.FoundProblem:
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
    found = _found(problem, agency, region, ProblemCategory.fair)
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


def item_story(log: EventLog, problem: str, agency: str, region: str, *, verify: bool) -> str:
    item = f"rect-{problem}"
    log.add(
        item,
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
        ),
        region=region,
    )
    if verify:
        log.add(
            item,
            r.RectificationCompleted(item_id=item, measures="退还罚款", completed_at=log.now),
            region=region,
        )
        log.add(
            item,
            r.RectificationVerified(
                item_id=item, office=f"office-{region}", verified_at=log.now + timedelta(days=2)
            ),
            region=region,
        )
    return item


def full_story(log: EventLog, key: str, agency: str, region: str) -> None:
    """Every event type at least once, for one agency in one region."""
    at = log.now
    problem = tip_story(log, key, agency, region)
    # other tip fates
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
    # self-inspection file
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
            problems=(_found(si_problem, agency, region, ProblemCategory.procedural),),
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

    # item 1: returned once, then completed and verified on time
    item = f"rect-{problem}"
    item_story(log, problem, agency, region, verify=False)
    log.add(
        item,
        r.ResponsiblePersonNamed(item_id=item, responsible_person="副局长", named_at=log.now),
        region=region,
    )
    log.add(
        item,
        r.RectificationProgressReported(
            item_id=item, note="进行中", percent=50, reported_at=log.now
        ),
        region=region,
    )
    log.add(
        item,
        r.RectificationCompleted(item_id=item, measures="退还", completed_at=log.now),
        region=region,
    )
    log.add(
        item,
        r.RectificationReturned(
            item_id=item, office=f"office-{region}", reasons="证据不足", returned_at=log.now
        ),
        region=region,
    )
    log.add(
        item,
        r.RectificationCompleted(item_id=item, measures="退还并整改", completed_at=log.now),
        region=region,
    )
    log.add(
        item,
        r.RectificationVerified(
            item_id=item, office=f"office-{region}", verified_at=log.now + timedelta(days=5)
        ),
        region=region,
    )
    # item 2: extension asked, declined, granted; then due, overdue, escalated
    item2 = item_story(log, si_problem, agency, region, verify=False)
    due = (log.now + timedelta(days=30)).date()
    log.add(
        item2,
        r.RectificationExtensionRequested(
            item_id=item2, requested_due_on=due, reason="复杂", requested_at=log.now
        ),
        region=region,
    )
    log.add(
        item2,
        r.RectificationExtensionDeclined(
            item_id=item2, office=f"office-{region}", reasons="理由不充分", declined_at=log.now
        ),
        region=region,
    )
    log.add(
        item2,
        r.RectificationExtended(
            item_id=item2,
            previous_due_on=due,
            due_on=due,
            reason="复杂",
            office=f"office-{region}",
            extended_at=log.now,
        ),
        region=region,
    )
    log.add(
        item2,
        r.RectificationDue(
            item_id=item2, agency_id=agency, region_code=region, due_on=due, at=log.now
        ),
        region=region,
    )
    log.add(
        item2,
        r.RectificationOverdue(
            item_id=item2, agency_id=agency, region_code=region, due_on=due, at=log.now
        ),
        region=region,
    )
    log.add(
        item2,
        r.RectificationEscalated(
            item_id=item2,
            agency_id=agency,
            region_code=region,
            escalated_to_region="360000",
            due_on=due,
            at=log.now,
        ),
        region=region,
    )

    # a typical case
    case = f"case-{key}"
    log.add(
        case,
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
        ),
        region=region,
    )
    log.add(
        case,
        r.CaseReferred(
            case_id=case,
            referral_id=f"ref-{key}-1",
            body=r.ReferralBody.discipline_inspection,
            receiving_body="纪委",
            reason="违纪",
            acknowledge_by=(log.now + timedelta(days=15)).date(),
            referred_at=log.now,
        ),
        region=region,
    )
    log.add(
        case,
        r.ReferralAcknowledged(
            case_id=case,
            referral_id=f"ref-{key}-1",
            reference_no="纪字1号",
            acknowledged_at=log.now,
        ),
        region=region,
    )
    log.add(
        case,
        r.CaseReferred(
            case_id=case,
            referral_id=f"ref-{key}-2",
            body=r.ReferralBody.procuratorate,
            receiving_body="检察院",
            reason="涉嫌犯罪",
            acknowledge_by=(log.now + timedelta(days=15)).date(),
            referred_at=log.now,
        ),
        region=region,
    )
    log.add(
        case,
        r.ReferralOverdue(
            case_id=case,
            referral_id=f"ref-{key}-2",
            receiving_body="检察院",
            acknowledge_by=log.now.date(),
            at=log.now,
        ),
        region=region,
    )
    log.add(
        case,
        r.CaseExposed(
            case_id=case,
            headline="典型案例",
            redacted_summary="某局",
            channel="江西日报",
            exposed_at=log.now,
        ),
        region=region,
    )
    log.add(
        case,
        r.AccountabilityImposed(
            case_id=case,
            decision_id=f"dec-{key}",
            target=r.AccountabilityTarget.individual,
            target_ref="p-1",
            grounds=(r.AccountabilityGround.case_conduct,),
            measure=r.AccountabilityMeasure.demerit,
            decided_by="纪委",
            decided_at=log.now,
        ),
        region=region,
    )
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

    meeting_story(log, key, agency, region)


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
    log.add(
        meeting,
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
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.PoolFrozen(
            meeting_id=meeting,
            algorithm="sha256-v1",
            pool_hash="0" * 64,
            agency_ids=(agency,),
            representatives=3,
            reserve_size=1,
            entities=tuple(ev.PoolEntry(entity_id=e, agency_ids=(agency,)) for e in entities),
            frozen_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
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
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.RepresentativeReplaced(
            meeting_id=meeting,
            declined_entity_id=entities[0],
            replacement_entity_id=f"ent-{key}-r",
            reserve_position=1,
            replaced_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.AttendanceRecorded(
            meeting_id=meeting,
            attendee_entity_ids=entities,
            absent_entity_ids=(),
            recorded_at=log.now,
        ),
        region=region,
    )
    total = satisfied + dissatisfied
    log.add(
        meeting,
        ev.BallotsIssued(
            meeting_id=meeting,
            count=total + 1,
            token_hashes=tuple(f"{n:064x}" for n in range(total + 1)),
            issued_at=log.now,
        ),
        region=region,
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
            log.add(
                meeting,
                ev.BallotCast(
                    meeting_id=meeting,
                    token_hash=f"{n:064x}",
                    channel=ev.BallotChannel.phone,
                    ratings=contents[-1].ratings,
                    problems=problems,
                    cast_at=log.now,
                ),
                region=region,
            )
            continue
        log.add(
            meeting,
            ev.BallotTokenSpent(
                meeting_id=meeting,
                token_hash=f"{n:064x}",
                channel=ev.BallotChannel.phone,
                spent_at=log.now,
            ),
            region=region,
        )
        # A stand-in for the box key's ciphertext: sample data has no key store.
        log.add(meeting, ev.BallotSealed(meeting_id=meeting, sealed=f"sample:{n}"), region=region)
    log.add(
        meeting,
        ev.BallotSpoiled(
            meeting_id=meeting, token_hash=f"{total:064x}", was_cast=False, spoiled_at=log.now
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.MeetingClosed(
            meeting_id=meeting,
            ballots_issued=total + 1,
            ballots_cast=total,
            ballots_spoiled=1,
            ballots_uncast=0,
            closed_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.BallotBoxOpened(
            meeting_id=meeting,
            ballots=tuple(contents),
            sealed_records=total,
            spoiled_excluded=0,
            opened_at=log.now,
        ),
        region=region,
    )
    for read in (ev.RepresentativesSheetRead, ev.BallotCommentsRead):
        log.add(
            meeting,
            read(
                meeting_id=meeting,
                reader=f"legal_office:office-{region}@{region}",
                office_id=f"office-{region}",
                purpose="反馈整改",
                read_at=log.now,
            ),
            region=region,
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
    log.add(
        meeting,
        ev.EvaluationTallied(
            meeting_id=meeting,
            campaign_id=CAMPAIGN,
            region_code=region,
            algorithm="tally-v1",
            ballots_issued=total + 1,
            ballots_cast=total,
            ballots_spoiled=1,
            ballots_uncast=0,
            valid_ballots=total,
            results=(result,),
            lookback_dissatisfaction_rate=0.2,
            lookback_problems_raised=5,
            # The sample's meetings are tiny (three voters): its rule lets them publish.
            min_valid_ballots=min_valid_ballots,
            tallied_at=log.now,
        ),
        region=region,
    )
    withheld = total < min_valid_ballots
    shown = result if not withheld else result.model_copy(update=dict.fromkeys(_FIGURES, 0))
    log.add(
        meeting,
        ev.ResultsFedBack(
            meeting_id=meeting,
            agency_id=agency,
            result=shown,
            withheld=withheld,
            fed_back_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.ResultsPublished(
            meeting_id=meeting,
            campaign_id=CAMPAIGN,
            region_code=region,
            valid_ballots=total,
            results=() if withheld else (result,),
            min_valid_ballots=min_valid_ballots,
            withheld=(agency,) if withheld else (),
            published_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.LookBackOpened(
            meeting_id=meeting,
            lookback_id=f"lb-{key}",
            agency_id=agency,
            reasons=("不满意率超过20%",),
            dissatisfaction_rate=dissatisfied / total,
            problems_raised=1,
            opened_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.LookBackCompleted(
            meeting_id=meeting,
            lookback_id=f"lb-{key}",
            agency_id=agency,
            findings="已整改",
            completed_at=log.now,
        ),
        region=region,
    )
    log.add(
        meeting,
        ev.ProblemRaised(
            meeting_id=meeting,
            raised_id=f"raised-{key}",
            campaign_id=CAMPAIGN,
            agency_id=agency,
            region_code=region,
            description="态度粗暴",
            raised_at=log.now,
        ),
        region=region,
    )


def entity_story(log: EventLog, key: str, agency: str, region: str) -> None:
    from shared.events.directory import EntityKind, RegulatedEntityRecord

    record = RegulatedEntityRecord(
        entity_id=f"ent-{key}",
        kind=EntityKind.firm,
        region_code=region,
        agency_ids=(agency,),
        sealed_name="sealed",
    )
    log.add(record.entity_id, d.RegulatedEntityRegistered(entity=record), region=region)
    log.add(record.entity_id, d.RegulatedEntityChanged(entity=record), region=region)


def complete_history(key: str, agency: str = "", region: str = "360102") -> EventLog:
    """Directory data plus :func:`full_story` for one agency: every event type."""
    log = EventLog()
    agency = agency or f"ag-{key}"
    register_campaign(log)
    log.add(CAMPAIGN, d.CampaignChanged(campaign=campaign_record()), region="360000")
    register_agency(log, agency, region)
    log.add(
        agency,
        d.AgencyChanged(
            agency=d.AgencyRecord(
                agency_id=agency,
                name=f"{region}市场监督管理局",
                region_code=region,
                level=AdminLevel.county,
                sector=Sector.market_supervision,
                powers=(Power.penalty,),
            )
        ),
        region=region,
    )
    entity_story(log, key, agency, region)
    full_story(log, key, agency, region)
    return log
