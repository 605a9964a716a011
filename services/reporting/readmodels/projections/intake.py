"""Tips, problems found, plans, self-analyses and self-inspection reports.

Metadata only: a tip's words and the officers' notes about them arrive sealed and
are never projected (nor could they be read here: the keys stay with intake)."""

from __future__ import annotations

from typing import Any

from services.reporting.readmodels.projections.registry import derived, projects, ts
from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.events import intake as i
from shared.events.reader import EnvelopeAttributes


def _tip(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> dict[str, Any]:
    return uow.subject(getattr(event, "tip_id", "") or envelope["subject"], "tip")


@projects(i.TipReceived)
def tip_received(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipReceived) -> None:
    _tip(uow, envelope, event).update(
        campaign_id=event.campaign_id,
        agency_id=event.agency_id,
        region_code=event.region_code,
        status="received",
        detail=event.channel.value,
        grade=event.power.value if event.power else "",
        opened_at=ts(event.received_at),
        due_at=ts(event.triage_due_at),
    )


@projects(i.TipAccepted)
def tip_accepted(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipAccepted) -> None:
    _tip(uow, envelope, event).update(status="accepted", due_at=ts(event.verification_due_at))


@projects(i.TipAssigned)
def tip_assigned(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipAssigned) -> None:
    _tip(uow, envelope, event).update(status="assigned", due_at=ts(event.verification_due_at))


@projects(i.TipRejected)
def tip_rejected(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipRejected) -> None:
    _tip(uow, envelope, event).update(status="rejected", completed_at=ts(event.rejected_at))


@projects(i.TipMerged)
def tip_merged(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipMerged) -> None:
    _tip(uow, envelope, event).update(
        status="merged", ref=event.into_tip_id, completed_at=ts(event.merged_at)
    )


@projects(i.TipTransferred)
def tip_transferred(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipTransferred) -> None:
    _tip(uow, envelope, event).update(
        status="transferred", region_code=event.to_region_code, due_at=ts(event.triage_due_at)
    )


@projects(i.TipEscalated)
def tip_escalated(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipEscalated) -> None:
    # The tip stays attributed to the region it concerns; the flag counts escalations.
    _tip(uow, envelope, event)["flag"] = 1


@projects(i.TipSubstantiated)
def tip_substantiated(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipSubstantiated
) -> None:
    _tip(uow, envelope, event).update(
        status="substantiated", completed_at=ts(event.substantiated_at)
    )


@projects(i.TipUnsubstantiated)
def tip_unsubstantiated(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipUnsubstantiated
) -> None:
    _tip(uow, envelope, event).update(
        status="unsubstantiated", completed_at=ts(event.unsubstantiated_at)
    )


@projects(i.ContactDecrypted, i.TipTextDecrypted, i.ContactErased)
def contact_audit(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
    """Only on the tip's timeline (an audit trail); no figure counts it."""


@projects(i.ProblemFound)
def problem_found(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.ProblemFound) -> None:
    row = uow.subject(event.problem_id, "problem")
    row.update(
        campaign_id=event.campaign_id,
        agency_id=event.agency_id,
        region_code=event.region_code,
        status=row["status"] if row["status"] else "found",
        category=event.category.value,
        detail=event.kind,
        grade=event.severity.value,
        ref=event.source.value,
        opened_at=ts(event.found_at),
    )


def _filed(
    uow: UnitOfWork,
    envelope: EnvelopeAttributes,
    kind: str,
    key: str,
    agency_id: str,
    campaign: str,
) -> dict[str, Any]:
    row = derived(uow, kind, key, envelope)
    row.update(
        campaign_id=campaign,
        agency_id=agency_id,
        # empty: resolved from the agencies table when figures are computed
        region_code=envelope["regioncode"],
        status="filed",
    )
    return row


@projects(i.ImplementationPlanFiled)
def plan_filed(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.ImplementationPlanFiled
) -> None:
    row = _filed(uow, envelope, "plan", event.plan_id, event.agency_id, event.campaign_id)
    row.update(detail=event.phase.value, opened_at=ts(event.filed_at))


@projects(i.SelfAnalysisFiled)
def self_analysis_filed(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.SelfAnalysisFiled
) -> None:
    row = _filed(
        uow, envelope, "self_analysis", event.analysis_id, event.agency_id, event.campaign_id
    )
    row.update(detail=event.phase.value, opened_at=ts(event.filed_at))


@projects(i.SelfInspectionReportFiled)
def self_inspection_filed(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.SelfInspectionReportFiled
) -> None:
    row = _filed(
        uow, envelope, "self_inspection", event.report_id, event.agency_id, event.campaign_id
    )
    row.update(detail=event.phase.value, opened_at=ts(event.filed_at))
