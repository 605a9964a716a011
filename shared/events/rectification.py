"""Events on ``rectification.events``: item-by-item fixes, deadlines, cases,
referrals, exposure, accountability, rule improvements."""

from __future__ import annotations
