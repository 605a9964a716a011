"""Tips, problems found, plans, self-analyses and self-inspection reports.

Metadata only: a tip's words and the officers' notes about them arrive sealed and
are never projected (nor could they be read here: the keys stay with intake)."""

from __future__ import annotations

from typing import Any

from services.reporting.readmodels.projections.registry import (
    Projection,
    derived,
    moved,
    projects,
    scope_of,
    stream_row,
    ts,
)
from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.events import intake as i
from shared.events.reader import EnvelopeAttributes

_tip = stream_row("tip")


@projects(i.TipReceived)
def tip_received(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.TipReceived) -> None:
    _tip(uow, envelope, event).update(
        **scope_of(event),
        status="received",
        detail=event.channel.value,
        grade=event.power.value if event.power else "",
        opened_at=ts(event.received_at),
        due_at=ts(event.triage_due_at),
    )


projects(i.TipAccepted)(moved(_tip, "accepted", due_at="verification_due_at"))
projects(i.TipAssigned)(moved(_tip, "assigned", due_at="verification_due_at"))
projects(i.TipRejected)(moved(_tip, "rejected", completed_at="rejected_at"))
projects(i.TipSubstantiated)(moved(_tip, "substantiated", completed_at="substantiated_at"))
projects(i.TipUnsubstantiated)(moved(_tip, "unsubstantiated", completed_at="unsubstantiated_at"))


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


@projects(i.ContactDecrypted, i.TipTextDecrypted, i.ContactErased)
def contact_audit(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
    """Only on the tip's timeline (an audit trail); no figure counts it."""


@projects(i.ProblemFound)
def problem_found(uow: UnitOfWork, envelope: EnvelopeAttributes, event: i.ProblemFound) -> None:
    row = uow.subject(event.problem_id, "problem")
    row.update(
        **scope_of(event),
        status=row["status"] if row["status"] else "found",
        category=event.category.value,
        detail=event.kind,
        grade=event.severity.value,
        ref=event.source.value,
        opened_at=ts(event.found_at),
    )


def _filed(kind: str, key: str) -> Projection:
    """An agency's filing of ``kind``, keyed by the event's field ``key``: attributed to
    the agency and the campaign, its region resolved from the agencies table when
    figures are computed (the envelope's is empty)."""

    def project(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
        row = derived(uow, kind, getattr(event, key), envelope)
        row.update(
            campaign_id=event.campaign_id,
            agency_id=event.agency_id,
            region_code=envelope["regioncode"],
            status="filed",
            detail=event.phase.value,
            opened_at=ts(event.filed_at),
        )

    return project


projects(i.ImplementationPlanFiled)(_filed("plan", "plan_id"))
projects(i.SelfAnalysisFiled)(_filed("self_analysis", "analysis_id"))
projects(i.SelfInspectionReportFiled)(_filed("self_inspection", "report_id"))
