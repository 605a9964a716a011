"""Response models of the reporting API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class RegionRef(BaseModel):
    code: str
    name: str
    level: str


class RegionDashboard(BaseModel):
    region: RegionRef
    figures: dict[str, float] = Field(description="figures rolled up over the region and below")
    children: list[RegionDashboardChild] = Field(description="drill-down: each direct child")
    agencies: list[AgencyRef]
    offsets: dict[str, int]


class RegionDashboardChild(BaseModel):
    region: RegionRef
    figures: dict[str, float]


class AgencyRef(BaseModel):
    agency_id: str
    name: str
    region_code: str
    level: str
    sector: str


class AgencyDashboard(BaseModel):
    agency: AgencyRef
    figures: dict[str, float]
    offsets: dict[str, int]


class RankingEntry(BaseModel):
    id: str
    name: str
    value: float
    volume: float
    rank: int | None


class Ranking(BaseModel):
    metric: str
    min_volume: int = Field(description="entries with a smaller volume are not ranked")
    ranked: list[RankingEntry]
    below_minimum_volume: list[RankingEntry]


class EventSummary(BaseModel):
    """One event as a role may read it: never the event's data. Which of the optional
    fields are present is the role's row in ``shared.access_policy.EVENT_FIELDS``."""

    event_id: str
    subject: str
    type: str = Field(description="the event's kind as a label, e.g. intake.ProblemFound")
    sequence: int | None = None
    day: date | None = Field(default=None, description="the day it happened (UTC)")
    time: datetime | None = Field(default=None, description="the exact time (auditors)")
    status: str | None = Field(default=None, description="its aggregate's current status")
    category: str | None = None
    region_code: str | None = None
    agency_id: str | None = None
    actor: str | None = Field(default=None, description="role:office:region (auditors)")


class Timeline(BaseModel):
    subject: str
    events: list[EventSummary]


class EventsBehindFigure(BaseModel):
    metric: str
    region_code: str | None
    agency_id: str | None
    subjects: list[str] = Field(description="the subjects counted that the reader may see")
    events: list[EventSummary]


class ProjectorState(BaseModel):
    applied: int
    skipped: int
    dead_letters: int
    dead_letters_stored: int
    batches: int
    running: bool
    caught_up: bool
    error: str
    offsets: dict[str, int]


class PublicFigures(BaseModel):
    region: RegionRef
    figures: dict[str, float] = Field(description="aggregate counts only; no personal data")
    children: list[RegionDashboardChild]


class PhaseProgress(BaseModel):
    number: int
    code: str
    name_zh: str
    starts_on: date
    ends_on: date
    state: str = Field(description="not_started, in_progress or finished on the service's date")
    time_elapsed: float = Field(description="share of the phase's days elapsed (0..1)")
    opened_in_phase: dict[str, int] = Field(
        description="aggregates opened within the phase's dates, by kind (tip, problem, item …)"
    )


class CampaignProgress(BaseModel):
    campaign_id: str
    name: str
    document_no: str
    as_of_date: date
    phases: list[PhaseProgress]


class ReplayRequest(BaseModel):
    as_of: datetime | None = Field(
        default=None,
        description="rebuild from events whose envelope time is ≤ as_of (RFC 3339, with zone)",
    )


class ReplayResult(BaseModel):
    replay_id: str
    as_of: datetime | None
    built_at: datetime
    applied: int
    skipped: int
    dead_letters: int
    seconds: float
    offsets: dict[str, int]


class FigureDifference(BaseModel):
    figure: str
    left: float | None
    right: float | None


class ComparisonResult(BaseModel):
    left: str
    right: str
    identical: bool
    figures_compared: int
    differences: list[FigureDifference]
    left_offsets: dict[str, int]
    right_offsets: dict[str, int]


RegionDashboard.model_rebuild()
