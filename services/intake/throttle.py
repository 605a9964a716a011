"""Per-client throttling of failed receipt-code lookups (guessing is made slow)."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import timedelta

from shared.clock import Clock
from shared.errors import Throttled


class FailureThrottle:
    def __init__(self, clock: Clock, *, limit: int = 5, window: timedelta = timedelta(minutes=15)):
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures[client]
        horizon = (self._clock.now() - self._window).timestamp()
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Refuse while the client has had ``limit`` failures within the window."""
        failures = self._recent(client)
        if not failures:
            self._failures.pop(client, None)  # forget clients without recent failures
            return
        if len(failures) >= self._limit:
            wait = (
                int(failures[0] + self._window.total_seconds() - self._clock.now().timestamp()) + 1
            )
            raise Throttled(
                f"查询失败次数过多，请 {wait} 秒后再试",
                f"too many failed lookups; try again in {wait} seconds",
                retry_after=wait,
            )

    def failed(self, client: str) -> None:
        self._recent(client).append(self._clock.now().timestamp())
