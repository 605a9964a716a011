"""When a referral falls overdue: its acknowledgement deadline has passed (midnight
ending that day, Beijing time) and the receiving body has not acknowledged it."""

from __future__ import annotations

from datetime import datetime

from services.rectification.domain.cases.state import CaseState, Referral
from shared.clock import passes_at
from shared.events.rectification import ReferralOverdue
from shared.fields import copy_fields


def _waiting(referral: Referral) -> bool:
    return referral.acknowledged_at is None and not referral.overdue_flagged


def next_check_at(case: CaseState | None) -> datetime | None:
    """When the deadline watcher should next check this case: the earliest deadline of
    a referral neither acknowledged nor already flagged overdue."""
    if case is None:
        return None
    return min(
        (passes_at(r.acknowledge_by) for r in case.referrals if _waiting(r)),
        default=None,
    )


def referrals_overdue(case: CaseState, at: datetime) -> list[ReferralOverdue]:
    """One ``ReferralOverdue`` for each referral waiting past its deadline at ``at``."""
    return [
        copy_fields(r, ReferralOverdue, case_id=case.case_id, at=at)
        for r in case.referrals
        if _waiting(r) and at >= passes_at(r.acknowledge_by)
    ]
