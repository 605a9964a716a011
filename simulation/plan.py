"""What a run plays: its size, and the campaign calendar of the 2016 plan (赣府法办字
〔2016〕25号), shifted by whole years when the services' clock is already past it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from shared.clock import BEIJING
from shared.events.directory import PhaseCode

PLAN_2016: dict[PhaseCode, tuple[date, date]] = {
    PhaseCode.mobilisation: (date(2016, 6, 6), date(2016, 7, 15)),
    PhaseCode.finding: (date(2016, 7, 16), date(2016, 8, 31)),
    PhaseCode.rectification: (date(2016, 9, 1), date(2017, 1, 31)),
    PhaseCode.evaluation: (date(2017, 2, 1), date(2017, 2, 28)),
    PhaseCode.summary: (date(2017, 3, 1), date(2017, 3, 31)),
}


@dataclass(frozen=True)
class Size:
    """How much a run plays. ``tip_batches`` are the days of the finding phase on
    which tips arrive; ``meetings`` evaluation meetings of ``representatives`` each."""

    name: str
    tips: int
    tip_batches: int
    meetings: int
    representatives: int
    workers: int


SIZES: dict[str, Size] = {
    "small": Size("small", tips=160, tip_batches=4, meetings=2, representatives=30, workers=8),
    "medium": Size(
        "medium", tips=2_000, tip_batches=12, meetings=11, representatives=40, workers=8
    ),
    # About 1.2 million events: each tip yields ~6 across the four topics.
    "large": Size(
        "large", tips=200_000, tip_batches=40, meetings=110, representatives=50, workers=16
    ),
}


@dataclass(frozen=True)
class Calendar:
    """The five phases of one simulated campaign, ``years`` after the 2016 plan."""

    years: int

    def phase(self, code: PhaseCode) -> tuple[date, date]:
        start, end = PLAN_2016[code]
        return self.shift(start), self.shift(end)

    def shift(self, day: date) -> date:
        return day.replace(year=day.year + self.years)

    @property
    def campaign_year(self) -> int:
        return 2016 + self.years

    @staticmethod
    def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)

    @classmethod
    def after(cls, now: datetime) -> Calendar:
        """The first calendar whose mobilisation starts after ``now``."""
        years = 0
        while cls.at(cls(years).phase(PhaseCode.mobilisation)[0], 0) <= now:
            years += 1
        return cls(years)
