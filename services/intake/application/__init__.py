"""Intake's application layer: the command handlers the API, the policies and the
timers all call, each taking plain values and the ``Actor`` (never a request).

| module | handlers |
|---|---|
| ``app`` | ``IntakeApp``: the kernel, the directory view, privacy, rate limits, proxies |
| ``submission`` | a tip submitted or filed; followed with its receipt code |
| ``tips`` | a tip as a reader sees it; the region's queue; a command on a tip |
| ``triage`` | accept, reject, merge, assign, transfer |
| ``verification`` | substantiate (problems found), unsubstantiate |
| ``problems`` | problems recorded once each; the problems a reader reads |
| ``tipster`` | the tipster's words and contact read (recorded), erasure |
| ``self_inspection`` | agencies' plans, analyses and reports; their filings |
| ``directory`` | campaigns and agencies |
| ``raised`` | problems raised at evaluation meetings, as tips |
| ``deadlines`` | the deadline watcher's pass |
"""

from .app import IntakeApp
from .ids import new_correlation_id, new_problem_id, new_tip_id, secret_random_below

__all__ = [
    "IntakeApp",
    "new_correlation_id",
    "new_problem_id",
    "new_tip_id",
    "secret_random_below",
]
