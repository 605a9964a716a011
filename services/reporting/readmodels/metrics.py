"""What each figure is: how one grouped row of subjects adds to the raw metrics,
how rates derive from their sums, which subjects a metric counts (the events behind
a figure), and which metrics the public sees. Pure: no database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Figures = dict[str, float]


@dataclass(frozen=True)
class Group:
    """One grouped row of subjects: its dimensions and the sums the metrics need (none
    where a row has no such dimension or sum)."""

    region_code: str
    agency_id: str
    kind: str
    status: str
    category: str = ""
    detail: str = ""
    grade: str = ""
    flag: int = 0
    published: int = 0
    count: int = 0
    overdue: int = 0
    on_time: int = 0
    on_time_known: int = 0
    days_sum: float = 0.0
    days_count: int = 0
    ballots: int = 0
    satisfied: int = 0
    dissatisfied: int = 0


# Raw metrics are plain sums, so they add up across regions and agencies; rates are
# derived afterwards from the summed numerators and denominators. Per kind of subject:
# the metrics one grouped row adds to, and by how much.
_RAW: dict[str, Callable[[Group], tuple[tuple[str, float], ...]]] = {
    "tip": lambda g: (
        ("tips.total", g.count),
        (f"tips.channel.{g.detail or 'unknown'}", g.count),
        (f"tips.status.{g.status or 'unknown'}", g.count),
        ("tips.escalated", g.count if g.flag else 0),
    ),
    "problem": lambda g: (
        ("problems.total", g.count),
        (f"problems.category.{g.category}", g.count),
        (f"problems.kind.{g.detail}", g.count),
        (f"problems.severity.{g.grade}", g.count),
        (f"problems.status.{g.status}", g.count),
    ),
    "raised_problem": lambda g: (("evaluation.problems_raised", g.count),),
    "item": lambda g: (
        ("items.total", g.count),
        (f"items.{g.status or 'open'}", g.count),
        ("items.overdue", g.overdue),
        ("items.escalated", g.count if g.flag else 0),
        ("items.on_time", g.on_time),
        ("items.deadline_known", g.on_time_known),
        ("items.days_to_verification_sum", g.days_sum),
        ("items.days_to_verification_count", g.days_count),
    ),
    "case": lambda g: (
        ("cases.total", g.count),
        (f"cases.kind.{g.detail}", g.count),
        (f"cases.origin.{g.category}", g.count),
    ),
    "referral": lambda g: (
        ("referrals.total", g.count),
        ("referrals.acknowledged" if g.flag else "referrals.unacknowledged", g.count),
        ("referrals.overdue", g.overdue),
        (f"referrals.body.{g.detail}", g.count),
    ),
    "exposure": lambda g: (("exposures.total", g.count),),
    "accountability": lambda g: (
        ("accountability.total", g.count),
        (f"accountability.measure.{g.detail}", g.count),
        (f"accountability.target.{g.category}", g.count),
    ),
    "rule": lambda g: (("rules.total", g.count), (f"rules.kind.{g.detail}", g.count)),
    "plan": lambda g: (("plans.total", g.count),),
    "self_analysis": lambda g: (("self_analyses.total", g.count),),
    "self_inspection": lambda g: (("self_inspections.total", g.count),),
    "meeting": lambda g: (
        ("evaluation.meetings", g.count),
        ("evaluation.meetings_published", g.count if g.published else 0),
        ("evaluation.ballots_cast", g.ballots),
    ),
    # rows exist from the meeting's scheduling; an agency is evaluated once tallied
    "evaluation_result": lambda g: (
        ("evaluation.agencies_evaluated", g.count if g.status != "scheduled" else 0),
        ("evaluation.ballots", g.ballots),
        ("evaluation.satisfied", g.satisfied),
        ("evaluation.dissatisfied", g.dissatisfied),
    ),
    "lookback": lambda g: (("lookbacks.total", g.count), (f"lookbacks.{g.status}", g.count)),
}


def raw_metrics(group: Group) -> Figures:
    m: Figures = {}
    adds = _RAW.get(group.kind)
    for key, value in adds(group) if adds is not None else ():
        if value:
            m[key] = m.get(key, 0) + value
    return m


def derive(raw: Mapping[str, float]) -> Figures:
    """Add rates to summed raw metrics."""
    figures = dict(raw)
    completed = raw.get("items.completed", 0) + raw.get("items.verified", 0)
    known = raw.get("items.deadline_known", 0)
    if known:
        figures["items.on_time_rate"] = round(raw.get("items.on_time", 0) / known, 4)
    if completed or raw.get("items.total"):
        figures["items.completion_rate"] = round(completed / raw["items.total"], 4)
    days = raw.get("items.days_to_verification_count", 0)
    if days:
        figures["items.avg_days_to_verification"] = round(
            raw.get("items.days_to_verification_sum", 0) / days, 2
        )
    ballots = raw.get("evaluation.ballots", 0)
    if ballots:
        figures["evaluation.satisfaction_rate"] = round(
            raw.get("evaluation.satisfied", 0) / ballots, 4
        )
        figures["evaluation.dissatisfaction_rate"] = round(
            raw.get("evaluation.dissatisfied", 0) / ballots, 4
        )
    return figures


_KIND_OF_FAMILY = {
    "tips": "tip",
    "problems": "problem",
    "items": "item",
    "cases": "case",
    "referrals": "referral",
    "exposures": "exposure",
    "accountability": "accountability",
    "rules": "rule",
    "plans": "plan",
    "self_analyses": "self_analysis",
    "self_inspections": "self_inspection",
    "lookbacks": "lookback",
}

# metric family -> {sub-dimension name: subjects column}
_DIMENSIONS: dict[str, dict[str, str]] = {
    "tips": {"channel": "detail", "status": "status"},
    "problems": {"category": "category", "kind": "detail", "severity": "grade", "status": "status"},
    "cases": {"kind": "detail", "origin": "category"},
    "referrals": {"body": "detail"},
    "accountability": {"measure": "detail", "target": "category"},
    "rules": {"kind": "detail"},
}

_FLAGS: dict[str, dict[str, Any]] = {
    "tips.escalated": {"flag": 1},
    "items.overdue": {"overdue": 1},
    "items.escalated": {"flag": 1},
    "items.open": {"status": "open"},
    "items.completed": {"status": "completed"},
    "items.verified": {"status": "verified"},
    "referrals.acknowledged": {"flag": 1},
    "referrals.unacknowledged": {"flag": 0},
    "referrals.overdue": {"overdue": 1},
    "lookbacks.open": {"status": "open"},
    "lookbacks.completed": {"status": "completed"},
}


def subject_filter(metric: str) -> dict[str, Any]:
    """Which subjects a metric counts: column -> value (for "events behind a figure")."""
    parts = metric.split(".")
    family = parts[0]
    if family == "evaluation":
        if metric == "evaluation.problems_raised":
            return {"kind": "raised_problem"}
        if metric.startswith("evaluation.meetings") or metric == "evaluation.ballots_cast":
            return {"kind": "meeting"}
        return {"kind": "evaluation_result"}
    if family not in _KIND_OF_FAMILY:
        raise KeyError(metric)
    where: dict[str, Any] = {"kind": _KIND_OF_FAMILY[family]}
    if metric in _FLAGS:
        where.update(_FLAGS[metric])
    elif len(parts) == 2 and (parts[1] == "total" or parts[1].endswith("_rate")):
        pass  # a total or a rate: every subject of the family is behind it
    elif len(parts) == 2 and parts[1].startswith("avg_days"):
        where["verified"] = True
    elif len(parts) == 3:
        column = _DIMENSIONS.get(family, {}).get(parts[1])
        if column is None:
            raise KeyError(metric)
        where[column] = parts[2]
    return where


# What the public may see: aggregate counts and rates, no per-subject detail.
PUBLIC_PREFIXES = (
    "tips.total",
    "problems.total",
    "problems.category.",
    "items.total",
    "items.open",
    "items.overdue",
    "items.completed",
    "items.verified",
    "items.completion_rate",
    "items.on_time_rate",
    "cases.total",
    "exposures.total",
    "accountability.total",
    "rules.total",
    "evaluation.meetings_published",
    "evaluation.agencies_evaluated",
    "evaluation.ballots",
    "evaluation.satisfied",
    "evaluation.dissatisfied",
    "evaluation.satisfaction_rate",
    "evaluation.dissatisfaction_rate",
    "lookbacks.total",
)
