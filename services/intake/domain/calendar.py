"""Campaign dates are Beijing dates (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def local_date(at: datetime) -> date:
    return at.astimezone(BEIJING).date()
