"""What each figure is: how one grouped row of subjects adds to the raw metrics,
how rates derive from their sums, which subjects a metric counts (the events behind
a figure), and which metrics the public sees. Pure: no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Figures = dict[str, float]


@dataclass(frozen=True)
class Group:
    """One grouped row of subjects: its dimensions and the sums the metrics need."""

    region_code: str
    agency_id: str
    kind: str
    status: str
    category: str
    detail: str
    grade: str
    flag: int
    published: int
    count: int
    overdue: int
    on_time: int
    on_time_known: int
    days_sum: float
    days_count: int
    ballots: int
    satisfied: int
    dissatisfied: int


def _add(target: dict[str, float], key: str, value: float) -> None:
    if value:
        target[key] = target.get(key, 0) + value


# Raw metrics are plain sums, so they add up across regions and agencies; rates are
# derived afterwards from the summed numerators and denominators.
def raw_metrics(group: Group) -> Figures:
    m: Figures = {}
    n = group.count
    kind = group.kind
    if kind == "tip":
        _add(m, "tips.total", n)
        _add(m, f"tips.channel.{group.detail or 'unknown'}", n)
        _add(m, f"tips.status.{group.status or 'unknown'}", n)
        _add(m, "tips.escalated", n if group.flag else 0)
    elif kind == "problem":
        _add(m, "problems.total", n)
        _add(m, f"problems.category.{group.category}", n)
        _add(m, f"problems.kind.{group.detail}", n)
        _add(m, f"problems.severity.{group.grade}", n)
        _add(m, f"problems.status.{group.status}", n)
    elif kind == "raised_problem":
        _add(m, "evaluation.problems_raised", n)
    elif kind == "item":
        _add(m, "items.total", n)
        _add(m, f"items.{group.status or 'open'}", n)
        _add(m, "items.overdue", group.overdue)
        _add(m, "items.escalated", n if group.flag else 0)
        _add(m, "items.on_time", group.on_time)
        _add(m, "items.deadline_known", group.on_time_known)
        _add(m, "items.days_to_verification_sum", group.days_sum)
        _add(m, "items.days_to_verification_count", group.days_count)
    elif kind == "case":
        _add(m, "cases.total", n)
        _add(m, f"cases.kind.{group.detail}", n)
        _add(m, f"cases.origin.{group.category}", n)
    elif kind == "referral":
        _add(m, "referrals.total", n)
        _add(m, "referrals.acknowledged" if group.flag else "referrals.unacknowledged", n)
        _add(m, "referrals.overdue", group.overdue)
        _add(m, f"referrals.body.{group.detail}", n)
    elif kind == "exposure":
        _add(m, "exposures.total", n)
    elif kind == "accountability":
        _add(m, "accountability.total", n)
        _add(m, f"accountability.measure.{group.detail}", n)
        _add(m, f"accountability.target.{group.category}", n)
    elif kind == "rule":
        _add(m, "rules.total", n)
        _add(m, f"rules.kind.{group.detail}", n)
    elif kind == "plan":
        _add(m, "plans.total", n)
    elif kind == "self_analysis":
        _add(m, "self_analyses.total", n)
    elif kind == "self_inspection":
        _add(m, "self_inspections.total", n)
    elif kind == "meeting":
        _add(m, "evaluation.meetings", n)
        _add(m, "evaluation.meetings_published", n if group.published else 0)
        _add(m, "evaluation.ballots_cast", group.ballots)
    elif kind == "evaluation_result":
        # rows exist from the meeting's scheduling; an agency is evaluated once tallied
        _add(m, "evaluation.agencies_evaluated", n if group.status != "scheduled" else 0)
        _add(m, "evaluation.ballots", group.ballots)
        _add(m, "evaluation.satisfied", group.satisfied)
        _add(m, "evaluation.dissatisfied", group.dissatisfied)
    elif kind == "lookback":
        _add(m, "lookbacks.total", n)
        _add(m, f"lookbacks.{group.status}", n)
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
