"""Audit replays: rebuild the read models from offset 0 (optionally only events whose
envelope time is ≤ ``as_of``) into a database of their own, and compare two builds
figure by figure. The live read models are never touched."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import all_figures
from services.reporting.readmodels.lanes import build_fresh
from services.reporting.readmodels.schema import make_engine
from services.reporting.readmodels.status import stored_offsets
from shared.errors import Invalid
from shared.settings import Settings


@dataclass(frozen=True)
class BuildSummary:
    url: str
    as_of: datetime | None
    built_at: datetime
    applied: int
    skipped: int
    dead_letters: int
    seconds: float
    offsets: dict[str, int]


@dataclass(frozen=True)
class Difference:
    figure: str
    left: float | None
    right: float | None


@dataclass(frozen=True)
class Comparison:
    figures_compared: int
    differences: list[Difference]
    left_offsets: dict[str, int] = field(default_factory=dict)
    right_offsets: dict[str, int] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not self.differences


def _same_database(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def rebuild(
    settings: Settings,
    target_url: str,
    *,
    as_of: datetime | None = None,
    targets: dict[Any, int] | None = None,
    lanes: int | None = None,
) -> BuildSummary:
    """Replay every topic from offset 0 into ``target_url`` (emptied first) up to the
    end offsets at the start of the replay (or ``targets``)."""
    if _same_database(target_url, settings.resolved_readmodel_url):
        raise Invalid(
            "审计重放不能写入在用的读模型数据库",
            "an audit replay must not write into the live read-model database",
            field="target_url",
        )
    if as_of is not None and as_of.tzinfo is None:
        raise Invalid("截止时间必须带时区", "as_of must carry a timezone", field="as_of")
    started = time.monotonic()
    status = build_fresh(settings, target_url, lanes=lanes, targets=targets, as_of=as_of).status
    engine = make_engine(target_url)
    try:
        built_at = datetime.now(UTC)
        _write_info(
            engine,
            {
                "as_of": as_of.isoformat() if as_of else "",
                "built_at": built_at.isoformat(),
                "kind": "replay",
            },
        )
        return BuildSummary(
            url=target_url,
            as_of=as_of,
            built_at=built_at,
            applied=status.applied,
            skipped=status.skipped,
            dead_letters=status.dead,
            seconds=round(time.monotonic() - started, 3),
            offsets=offsets_of(engine),
        )
    finally:
        engine.dispose()


def _write_info(engine: Engine, values: dict[str, str]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(schema.build_info).where(schema.build_info.c.key.in_(list(values))))
        conn.execute(insert(schema.build_info), [{"key": k, "value": v} for k, v in values.items()])


def build_info(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {row.key: row.value for row in conn.execute(select(schema.build_info)).all()}


def offsets_of(engine: Engine) -> dict[str, int]:
    return {f"{t}:{p}": o for (t, p), o in sorted(stored_offsets(engine).items())}


def compare_engines(left: Engine, right: Engine) -> Comparison:
    a, b = all_figures(left), all_figures(right)
    differences = [
        Difference(key, a.get(key), b.get(key))
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    ]
    return Comparison(len(set(a) | set(b)), differences, offsets_of(left), offsets_of(right))


def compare(left_url: str, right_url: str) -> Comparison:
    left, right = make_engine(left_url), make_engine(right_url)
    try:
        return compare_engines(left, right)
    finally:
        left.dispose()
        right.dispose()


def comparison_json(comparison: Comparison) -> str:
    return json.dumps(
        {
            "identical": comparison.identical,
            "figures_compared": comparison.figures_compared,
            "differences": [d.__dict__ for d in comparison.differences],
            "left_offsets": comparison.left_offsets,
            "right_offsets": comparison.right_offsets,
        },
        ensure_ascii=False,
        indent=2,
    )
