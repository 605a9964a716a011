"""Events on ``intake.events``: tips, triage, verification, problems found,
self-inspection. ``ProblemFound`` is the contract rectification builds on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from shared.events.base import DomainEvent
from shared.events.directory import PhaseCode
from shared.events.registry import event
from shared.vocabulary import ProblemCategory, Severity


class ProblemSource(StrEnum):
    tip = "tip"
    self_inspection = "self_inspection"


@event("intake.ProblemFound")
class ProblemFound(DomainEvent):
    """A substantiated problem attributed to one agency (subject = problem id)."""

    problem_id: str
    campaign_id: str
    agency_id: str
    region_code: str = Field(description="GB/T 2260 code of the agency's region")
    category: ProblemCategory
    kind: str = Field(description="finer kind, e.g. arbitrary_fine, fine_quota, buck_passing")
    severity: Severity
    summary: str
    source: ProblemSource
    source_tip_ids: tuple[str, ...] = ()
    phase: PhaseCode
    found_at: datetime
