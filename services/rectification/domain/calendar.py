"""Deadlines as calendar dates: a deadline (整改时限) is a date, and it passes when
that day ends in Beijing time (``shared.clock.passes_at``).
"""

from __future__ import annotations

from datetime import date, timedelta

# Phase 3 (整改落实) of the 2016 plan, used when a problem arrives before its
# campaign's reference data (see services/rectification/README.md).
DEFAULT_RECTIFICATION_STARTS_ON = date(2016, 9, 1)
DEFAULT_RECTIFICATION_ENDS_ON = date(2017, 1, 31)


def initial_due_on(found_on: date, days: int, phase_starts_on: date, phase_ends_on: date) -> date:
    """``days`` counted from the later of the finding and the start of the rectification
    phase, capped at the phase's end; a problem found after the phase ended simply gets
    ``days`` from when it was found."""
    start = max(found_on, phase_starts_on)
    due_on = start + timedelta(days=days)
    if start <= phase_ends_on:
        due_on = min(due_on, phase_ends_on)
    return due_on
