"""Figures computed from the read models at query time: grouped sums per region and
agency, rolled up county → city → province by summing each region's descendants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from services.reporting.readmodels import schema
from shared.regions import UnknownRegion, jiangxi

Figures = dict[str, float]

_s = schema.subjects
_a = schema.agencies

_GROUP_COLUMNS = (
    _s.c.agency_id,
    _s.c.kind,
    _s.c.status,
    _s.c.category,
    _s.c.detail,
    _s.c.grade,
    _s.c.flag,
    _s.c.published,
)


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


def load_groups(
    conn: Connection,
    *,
    region_codes: Iterable[str] | None = None,
    agency_ids: Iterable[str] | None = None,
) -> list[Group]:
    """Grouped sums of subject rows. A row without a region of its own (filed by an
    agency, the event naming none) takes its agency's region in the directory, resolved
    here rather than when projected, so how the topics interleaved cannot matter."""
    sums = (
        func.count().label("count"),
        func.coalesce(func.sum(_s.c.overdue), 0).label("overdue"),
        func.coalesce(func.sum(_s.c.on_time), 0).label("on_time"),
        func.count(_s.c.on_time).label("on_time_known"),
        func.coalesce(func.sum(_s.c.days_to_verify), 0.0).label("days_sum"),
        func.count(_s.c.days_to_verify).label("days_count"),
        func.coalesce(func.sum(_s.c.ballots), 0).label("ballots"),
        func.coalesce(func.sum(_s.c.satisfied), 0).label("satisfied"),
        func.coalesce(func.sum(_s.c.dissatisfied), 0).label("dissatisfied"),
    )
    own = (
        select(_s.c.region_code, *_GROUP_COLUMNS, *sums)
        .where(_s.c.region_code != "")
        .group_by(_s.c.region_code, *_GROUP_COLUMNS)
    )
    inherited = (
        select(_a.c.region_code, *_GROUP_COLUMNS, *sums)
        .select_from(_s.join(_a, _a.c.agency_id == _s.c.agency_id))
        .where(_s.c.region_code == "")
        .group_by(_a.c.region_code, *_GROUP_COLUMNS)
    )
    if region_codes is not None:
        scope = sorted(set(region_codes))
        own = own.where(_s.c.region_code.in_(scope))
        inherited = inherited.where(_a.c.region_code.in_(scope))
    if agency_ids is not None:
        agencies = sorted(set(agency_ids))
        own = own.where(_s.c.agency_id.in_(agencies))
        inherited = inherited.where(_s.c.agency_id.in_(agencies))
    groups: list[Group] = []
    for query in (own, inherited):
        groups.extend(Group(**dict(row)) for row in conn.execute(query).mappings())
    return groups


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


def sum_raw(groups: Iterable[Group]) -> Figures:
    total: Figures = {}
    for group in groups:
        for key, value in raw_metrics(group).items():
            total[key] = total.get(key, 0) + value
    return total


def raw_by_region(groups: Iterable[Group]) -> dict[str, Figures]:
    """Raw sums for every region, each including all regions below it (roll-up)."""
    regions = jiangxi()
    rolled: dict[str, Figures] = defaultdict(dict)
    for group in groups:
        metrics = raw_metrics(group)
        try:
            lineage = regions.lineage(group.region_code)
        except UnknownRegion:
            lineage = [group.region_code or "unknown"]
        for code in lineage:
            target = rolled[code]
            for key, value in metrics.items():
                target[key] = target.get(key, 0) + value
    return dict(rolled)


def raw_by_agency(groups: Iterable[Group]) -> dict[str, Figures]:
    result: dict[str, Figures] = defaultdict(dict)
    for group in groups:
        if not group.agency_id:
            continue
        target = result[group.agency_id]
        for key, value in raw_metrics(group).items():
            target[key] = target.get(key, 0) + value
    return dict(result)


def region_scope(region_code: str) -> list[str]:
    regions = jiangxi()
    return [region_code, *(r.code for r in regions.descendants(region_code))]


def region_figures(conn: Connection, region_code: str) -> Figures:
    return derive(sum_raw(load_groups(conn, region_codes=region_scope(region_code))))


def children_figures(conn: Connection, region_code: str) -> dict[str, Figures]:
    """Drill-down: figures of each direct child region (rolled up)."""
    groups = load_groups(conn, region_codes=region_scope(region_code))
    rolled = raw_by_region(groups)
    return {
        child.code: derive(rolled.get(child.code, {})) for child in jiangxi().children(region_code)
    }


def agency_figures(conn: Connection, agency_id: str) -> Figures:
    return derive(sum_raw(load_groups(conn, agency_ids=[agency_id])))


def all_figures(engine: Engine) -> dict[str, float]:
    """Every figure of a build, flat (``region/360100/tips.total``): what compare reads."""
    with engine.connect() as conn:
        groups = load_groups(conn)
        dead = conn.execute(select(func.count()).select_from(schema.dead_letters)).scalar_one()
        events = conn.execute(select(func.count()).select_from(schema.event_log)).scalar_one()
        agencies = conn.execute(select(func.count()).select_from(schema.agencies)).scalar_one()
    flat: dict[str, float] = {
        "build/events": float(events),
        "build/dead_letters": float(dead),
        "build/agencies": float(agencies),
    }
    for code, raw in raw_by_region(groups).items():
        for key, value in derive(raw).items():
            flat[f"region/{code}/{key}"] = value
    for agency, raw in raw_by_agency(groups).items():
        for key, value in derive(raw).items():
            flat[f"agency/{agency}/{key}"] = value
    return dict(sorted(flat.items()))


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
