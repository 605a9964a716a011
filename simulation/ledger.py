"""What a run knows it did, as the figures reporting should show: raw counts per
(region, agency), rolled up county → city → province the way reporting rolls them
up, with the same derived rates. Written out as JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.regions import jiangxi

Figures = dict[str, float]

# The figure families a run fully accounts for; any other figure is not compared.
COMPARED_PREFIXES = (
    "tips.",
    "problems.",
    "items.total",
    "items.open",
    "items.completed",
    "items.verified",
    "items.overdue",
    "items.escalated",
    "items.on_time",
    "items.deadline_known",
    "items.completion_rate",
    "cases.",
    "referrals.",
    "exposures.",
    "accountability.",
    "rules.",
    "plans.",
    "evaluation.",
    "lookbacks.",
)


# Reporting keeps a problem's status from intake's events only (figures must not depend
# on the order topics are read in) and counts rectification through ``items.*``; the
# ledger's ``problems.status.*`` (rectifying / rectified) is recorded but not compared.
NOT_COMPARED_PREFIXES = ("problems.status.",)


def compared(key: str) -> bool:
    return key.startswith(COMPARED_PREFIXES) and not key.startswith(NOT_COMPARED_PREFIXES)


def derive(raw: Mapping[str, float]) -> Figures:
    """The rates reporting derives from summed raw counts (its ``figures.derive``)."""
    figures = dict(raw)
    known = raw.get("items.deadline_known", 0)
    if known:
        figures["items.on_time_rate"] = round(raw.get("items.on_time", 0) / known, 4)
    total = raw.get("items.total", 0)
    if total:
        done = raw.get("items.completed", 0) + raw.get("items.verified", 0)
        figures["items.completion_rate"] = round(done / total, 4)
    ballots = raw.get("evaluation.ballots", 0)
    if ballots:
        figures["evaluation.satisfaction_rate"] = round(
            raw.get("evaluation.satisfied", 0) / ballots, 4
        )
        figures["evaluation.dissatisfaction_rate"] = round(
            raw.get("evaluation.dissatisfied", 0) / ballots, 4
        )
    return figures


@dataclass
class Ledger:
    raw: dict[tuple[str, str], Figures] = field(default_factory=lambda: defaultdict(dict))
    notes: dict[str, Any] = field(default_factory=dict)

    def count(self, region_code: str, agency_id: str, *metrics: str, by: float = 1) -> None:
        target = self.raw[(region_code, agency_id)]
        for metric in metrics:
            target[metric] = target.get(metric, 0) + by

    def note(self, key: str, value: Any) -> None:
        self.notes[key] = value

    def to_json(self) -> dict[str, Any]:
        rows = [
            {"region_code": r, "agency_id": a, "figures": {k: v for k, v in f.items() if v}}
            for (r, a), f in sorted(self.raw.items())
        ]
        return {
            "raw": rows,
            "expected": expected_figures([self.to_rows()]),
            **self.notes,
        }

    def to_rows(self) -> list[dict[str, Any]]:
        return [
            {"region_code": r, "agency_id": a, "figures": dict(f)}
            for (r, a), f in sorted(self.raw.items())
        ]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True))


def expected_figures(runs: Iterable[list[dict[str, Any]]]) -> dict[str, dict[str, Figures]]:
    """Expected figures of one or more runs on the same system: per region (rolled up)
    and per agency, rates derived from the sums."""
    regions = jiangxi()
    by_region: dict[str, Figures] = defaultdict(dict)
    by_agency: dict[str, Figures] = defaultdict(dict)
    for rows in runs:
        for row in rows:
            figures: Mapping[str, float] = row["figures"]
            targets = [by_region[code] for code in regions.lineage(row["region_code"])]
            if row["agency_id"]:
                targets.append(by_agency[row["agency_id"]])
            for target in targets:
                for key, value in figures.items():
                    target[key] = target.get(key, 0) + value
    return {
        "regions": {code: _clean(derive(raw)) for code, raw in sorted(by_region.items())},
        "agencies": {aid: _clean(derive(raw)) for aid, raw in sorted(by_agency.items())},
    }


def _clean(figures: Figures) -> Figures:
    return {k: v for k, v in sorted(figures.items()) if v}


def differences(expected: Mapping[str, float], actual: Mapping[str, float]) -> list[str]:
    """Every compared figure whose value differs (a missing figure counts as 0)."""
    keys = {k for k in (*expected, *actual) if compared(k)}
    return [
        f"{key}: expected {expected.get(key, 0)}, reporting shows {actual.get(key, 0)}"
        for key in sorted(keys)
        if expected.get(key, 0) != actual.get(key, 0)
    ]
