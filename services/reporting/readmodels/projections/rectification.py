"""Rectification items, typical cases, referrals, exposure, accountability, rules.

A projection reads only rows of its own stream (an item, a case and what hangs off it):
rows of other topics may be projected before or after it, depending on how the topics
interleave, and the figures must not depend on that."""

from __future__ import annotations

from typing import Any

from services.reporting.readmodels.projections.registry import (
    copy_scope,
    days_between,
    derived,
    projects,
    scope_of,
    stream_row,
    ts,
)
from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.clock import passes_at
from shared.events import rectification as r
from shared.events.reader import EnvelopeAttributes

_item = stream_row("item")


@projects(r.RectificationOpened)
def opened(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationOpened) -> None:
    _item(uow, envelope, event).update(
        **scope_of(event),
        status="open",
        category=event.category.value,
        detail=event.kind,
        grade=event.severity.value,
        ref=event.problem_id,
        # Days to verification count from the item's opening, which follows the
        # problem's finding at once. (Reading the problem's own time would make the
        # figure depend on how the intake and rectification topics interleave.)
        opened_at=ts(event.opened_at),
        due_at=passes_at(event.due_on).timestamp(),
    )


@projects(r.ResponsiblePersonNamed, r.RectificationProgressReported)
@projects(r.RectificationExtensionRequested, r.RectificationExtensionDeclined)
@projects(r.RectificationDue)
def timeline_only(uow: UnitOfWork, envelope: EnvelopeAttributes, event: Any) -> None:
    """Recorded on the item's timeline; no figure changes."""


@projects(r.RectificationCompleted)
def completed(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationCompleted
) -> None:
    row = _item(uow, envelope, event)
    done = ts(event.completed_at)
    row.update(status="completed", completed_at=done, overdue=0)
    row["on_time"] = int(done is not None and row["due_at"] is not None and done <= row["due_at"])


@projects(r.RectificationVerified)
def verified(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationVerified) -> None:
    row = _item(uow, envelope, event)
    at = ts(event.verified_at)
    row.update(status="verified", verified_at=at, overdue=0)
    row["days_to_verify"] = days_between(row["opened_at"], at)
    if row["on_time"] is None and row["due_at"] is not None and at is not None:
        row["on_time"] = int(at <= row["due_at"])


@projects(r.RectificationReturned)
def returned(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationReturned) -> None:
    _item(uow, envelope, event).update(status="open", completed_at=None, on_time=None)


@projects(r.RectificationExtended)
def extended(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationExtended) -> None:
    _item(uow, envelope, event).update(due_at=passes_at(event.due_on).timestamp(), overdue=0)


@projects(r.RectificationOverdue)
def overdue(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationOverdue) -> None:
    row = _item(uow, envelope, event)
    if row["status"] == "open":
        row["overdue"] = 1


@projects(r.RectificationEscalated)
def escalated(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RectificationEscalated
) -> None:
    _item(uow, envelope, event)["flag"] = 1


# -- cases ------------------------------------------------------------------------------


_case = stream_row("case")


@projects(r.CaseOpened)
def case_opened(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.CaseOpened) -> None:
    _case(uow, envelope, event).update(
        campaign_id=event.campaign_id,
        # A case is attributed to its first agency (all agencies appear on its timeline).
        agency_id=event.agency_ids[0] if event.agency_ids else "",
        region_code=event.region_code,
        status="open",
        category=event.origin.value,
        detail=event.kind.value,
        opened_at=ts(event.opened_at),
    )


@projects(r.CaseReferred)
def case_referred(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.CaseReferred) -> None:
    case = _case(uow, envelope, event)
    case["status"] = "referred"
    row = derived(uow, "referral", event.referral_id, envelope)
    copy_scope(row, case, envelope)
    row.update(
        status="referred",
        detail=event.body.value,
        opened_at=ts(event.referred_at),
        due_at=passes_at(event.acknowledge_by).timestamp(),
    )


@projects(r.ReferralAcknowledged)
def referral_acknowledged(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.ReferralAcknowledged
) -> None:
    row = derived(uow, "referral", event.referral_id, envelope)
    copy_scope(row, uow.find(event.case_id), envelope)
    row.update(flag=1, status="acknowledged", completed_at=ts(event.acknowledged_at), overdue=0)


@projects(r.ReferralOverdue)
def referral_overdue(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.ReferralOverdue
) -> None:
    row = derived(uow, "referral", event.referral_id, envelope)
    if not row["flag"]:
        row["overdue"] = 1


@projects(r.CaseExposed)
def case_exposed(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.CaseExposed) -> None:
    row = derived(uow, "exposure", f"{event.case_id}:{envelope['sequence']}", envelope, new=True)
    copy_scope(row, uow.find(event.case_id), envelope)
    row.update(status="exposed", detail=event.channel[:64], opened_at=ts(event.exposed_at))


@projects(r.AccountabilityImposed)
def accountability(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.AccountabilityImposed
) -> None:
    row = derived(uow, "accountability", event.decision_id, envelope)
    copy_scope(row, uow.find(event.case_id), envelope)
    row.update(
        status="decided",
        category=event.target.value,
        detail=event.measure.value,
        opened_at=ts(event.decided_at),
    )


@projects(r.RegulationAdopted)
def regulation(uow: UnitOfWork, envelope: EnvelopeAttributes, event: r.RegulationAdopted) -> None:
    row = derived(uow, "rule", event.regulation_id, envelope)
    row.update(
        **scope_of(event),
        status="adopted",
        detail=event.kind.value,
        opened_at=ts(event.recorded_at),
    )
