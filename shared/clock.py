"""Time is injected: domain code never reads the wall clock itself. Campaign dates
are Beijing dates."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shared.settings import Settings

# Beijing time: UTC+8 all year (no daylight saving since 1991), so a fixed offset needs
# no time-zone database; named as ``%Z`` prints it.
BEIJING = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The Beijing date of ``moment``."""
    return moment.astimezone(BEIJING).date()


def passes_at(day: date) -> datetime:
    """The moment ``day`` is over (a deadline date passes): midnight at the start of the
    next day, Beijing time."""
    return datetime.combine(day + timedelta(days=1), time(), BEIJING)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to: months of a campaign pass in seconds."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time cannot move backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        if moment < self._now:
            raise ValueError("time cannot move backwards")
        self._now = moment
        return self._now


class ControlledClock(SimulatedClock):
    """A simulated clock a running service shares with a driver (the campaign simulation):
    it is set through ``POST /admin/clock``. Thread-safe, since some services read the
    clock from worker threads; like ``SimulatedClock`` it never moves backwards."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return super().now()

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            return super().advance(delta)

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        with self._lock:
            return super().set(moment)


def clock_from_settings(settings: Settings) -> Clock:
    """``CLOCK_MODE=system`` (default): the wall clock. ``CLOCK_MODE=controlled``: a
    ``ControlledClock`` starting at ``CLOCK_START``, moved only through the admin API."""
    if settings.clock_mode == "controlled":
        return ControlledClock(settings.clock_start)
    return SystemClock()
