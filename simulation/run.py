"""What every phase of a run shares: the API, the seeded choices, the directory,
the calendar, the ledger, and a pool of workers for concurrent requests."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from shared.actors import Role

from .client import Api
from .directory import Agency, Directory
from .ledger import Ledger
from .plan import Calendar, Size

T = TypeVar("T")
R = TypeVar("R")

OFFICE = "lo-360000"  # the provincial legal affairs office runs the simulated campaign


@dataclass
class Run:
    api: Api
    size: Size
    seed: int
    rng: random.Random
    directory: Directory
    calendar: Calendar
    campaign_id: str
    ledger: Ledger = field(default_factory=Ledger)
    log: Callable[[str], None] = print
    _pool: ThreadPoolExecutor | None = None

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        return self.calendar.at(day, hour, minute)

    def set_time(self, moment: datetime) -> None:
        self.api.set_time(moment)

    def parallel(self, work: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``work`` on every item with the run's workers, results in item order."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size.workers, thread_name_prefix="sim")
        return list(self._pool.map(work, items))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    # -- who acts ---------------------------------------------------------------------

    def as_office(self) -> dict[str, Any]:
        return {"role": Role.legal_office, "organisation": OFFICE, "region_code": "360000"}

    def as_intake(self) -> dict[str, Any]:
        return {"role": Role.intake_officer, "organisation": "in-360000", "region_code": "360000"}

    def as_agency(self, agency: Agency) -> dict[str, Any]:
        return {
            "role": Role.agency_staff,
            "organisation": agency.agency_id,
            "region_code": agency.region_code,
        }

    def as_discipline(self) -> dict[str, Any]:
        return {
            "role": Role.discipline_liaison,
            "organisation": "dl-360000",
            "region_code": "360000",
        }


def wait_until(
    check: Callable[[], bool], what: str, timeout_s: float = 60.0, every_s: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout_s:.0f} s")
        time.sleep(every_s)


def weighted(rng: random.Random, weights: dict[T, float]) -> T:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def spread(days: Iterable[date], count: int) -> list[date]:
    pool = sorted(days)
    if count >= len(pool):
        return pool
    step = len(pool) / count
    return [pool[int(i * step)] for i in range(count)]
