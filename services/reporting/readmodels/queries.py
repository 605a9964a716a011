"""Read-side queries: rankings and campaign progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import (
    load_groups,
    raw_by_agency,
    raw_by_region,
    region_scope,
)
from services.reporting.readmodels.metrics import derive
from shared.regions import RegionLevel, jiangxi

# Which rate ranks, which volume it needs, and whether higher is better.
RANKINGS: dict[str, tuple[str, str, bool]] = {
    "satisfaction": ("evaluation.satisfaction_rate", "evaluation.ballots", True),
    "dissatisfaction": ("evaluation.dissatisfaction_rate", "evaluation.ballots", False),
    "on_time": ("items.on_time_rate", "items.deadline_known", True),
    "completion": ("items.completion_rate", "items.total", True),
}


@dataclass(frozen=True)
class RankedEntry:
    id: str
    name: str
    value: float
    volume: float
    rank: int | None


def rank(
    figures_by_id: dict[str, dict[str, float]],
    names: dict[str, str],
    metric: str,
    min_volume: int,
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    """Ranked entries (volume ≥ ``min_volume``) and those left out for too small a volume."""
    rate_key, volume_key, higher_is_better = RANKINGS[metric]
    eligible: list[RankedEntry] = []
    too_small: list[RankedEntry] = []
    for key, figures in figures_by_id.items():
        if rate_key not in figures:
            continue
        volume = figures.get(volume_key, 0)
        entry = RankedEntry(key, names.get(key, key), figures[rate_key], volume, None)
        (eligible if volume >= min_volume else too_small).append(entry)
    eligible.sort(key=lambda e: (-e.value if higher_is_better else e.value, -e.volume, e.id))
    ranked = [
        RankedEntry(e.id, e.name, e.value, e.volume, position)
        for position, e in enumerate(eligible, start=1)
    ]
    return ranked, sorted(too_small, key=lambda e: e.id)


def agency_names(conn: Connection, region_code: str | None = None) -> dict[str, dict[str, Any]]:
    query = select(schema.agencies)
    if region_code is not None:
        query = query.where(schema.agencies.c.region_code.in_(region_scope(region_code)))
    return {row["agency_id"]: dict(row) for row in conn.execute(query).mappings()}


def agency_ranking(
    conn: Connection, region_code: str, metric: str, min_volume: int
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    agencies = agency_names(conn, region_code)
    groups = load_groups(conn, region_codes=region_scope(region_code))
    by_agency = {
        agency: derive(raw) for agency, raw in raw_by_agency(groups).items() if agency in agencies
    }
    return rank(by_agency, {a: r["name"] for a, r in agencies.items()}, metric, min_volume)


def region_ranking(
    conn: Connection, parent_code: str, level: RegionLevel, metric: str, min_volume: int
) -> tuple[list[RankedEntry], list[RankedEntry]]:
    regions = jiangxi()
    members = [r for r in regions.descendants(parent_code) if r.level is level]
    rolled = raw_by_region(load_groups(conn, region_codes=region_scope(parent_code)))
    by_region = {r.code: derive(rolled.get(r.code, {})) for r in members}
    return rank(by_region, {r.code: r.name for r in members}, metric, min_volume)


def campaign_progress(conn: Connection, campaign_id: str, today: date) -> dict[str, Any] | None:
    row = (
        conn.execute(select(schema.campaigns).where(schema.campaigns.c.campaign_id == campaign_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    s = schema.subjects
    phases = []
    for phase in json.loads(row["phases"]):
        starts, ends = date.fromisoformat(phase["starts_on"]), date.fromisoformat(phase["ends_on"])
        if today < starts:
            state, elapsed = "not_started", 0.0
        elif today > ends:
            state, elapsed = "finished", 1.0
        else:
            state = "in_progress"
            total = max((ends - starts).days + 1, 1)
            elapsed = round(((today - starts).days + 1) / total, 4)
        window = and_(
            s.c.campaign_id == campaign_id,
            s.c.opened_at >= datetime.combine(starts, datetime.min.time(), UTC).timestamp(),
            s.c.opened_at < datetime.combine(ends, datetime.max.time(), UTC).timestamp(),
        )
        counts: dict[str, int] = {}
        for kind, count in conn.execute(
            select(s.c.kind, func.count()).where(window).group_by(s.c.kind)
        ).all():
            counts[kind] = int(count)
        phases.append(
            {
                **phase,
                "state": state,
                "time_elapsed": elapsed,
                "opened_in_phase": counts,
            }
        )
    return {
        "campaign_id": campaign_id,
        "name": row["name"],
        "document_no": row["document_no"],
        "as_of_date": today.isoformat(),
        "phases": phases,
    }
