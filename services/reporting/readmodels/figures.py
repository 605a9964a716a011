"""Figures computed from the read models at query time: grouped sums per region and
agency, rolled up county → city → province by summing each region's descendants
(what each metric counts is ``metrics.py``'s)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, func, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.metrics import Figures, Group, derive, raw_metrics
from shared.regions import UnknownRegion, jiangxi

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
