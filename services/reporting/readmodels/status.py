"""What a projector tells about its work: its counts since it started, and the
positions and dead letters its database holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.projector import BatchResult
from services.reporting.readmodels.unit_of_work import read_offsets


@dataclass
class ProjectorStatus:
    applied: int = 0
    skipped: int = 0
    dead: int = 0
    batches: int = 0
    running: bool = False
    caught_up: bool = False
    error: str = ""
    positions: dict[str, int] = field(default_factory=dict)

    def count(self, result: BatchResult) -> None:
        self.applied += result.applied
        self.skipped += result.skipped
        self.dead += result.dead
        self.batches += 1


def describe(status: ProjectorStatus) -> dict[str, Any]:
    return {
        "applied": status.applied,
        "skipped": status.skipped,
        "dead_letters": status.dead,
        "batches": status.batches,
        "running": status.running,
        "caught_up": status.caught_up,
        "error": status.error,
    }


def stored_offsets(engine: Engine) -> dict[tuple[str, int], int]:
    with engine.connect() as conn:
        return read_offsets(conn)


def dead_letter_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.dead_letters)).scalar_one())
