"""Rate limits on the public routes: tips submitted and failed receipt-code lookups,
per client address (``client_address.py``), shared by every intake process through
the SQL storage (``rate_limit_store.py``), on the wall clock.

Failed lookups are counted per client and never per receipt code, so nobody can lock
the owner of a code out; a client that has failed too often is refused before its
code is even looked at, which makes guessing codes slow."""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from typing import NoReturn

from limits import RateLimitItem, parse
from limits.strategies import SlidingWindowCounterRateLimiter

from shared.errors import Throttled

from .rate_limit_store import SqlStorage


def budget_key(client: str) -> str:
    """Whose budget a request spends: the client's address, or for IPv6 its /64 (one
    host is usually given a whole /64, and could otherwise rotate through it)."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class RateLimits:
    def __init__(self, url: str, *, tips: str, lookup_failures: str) -> None:
        self.storage = SqlStorage(url)
        self._limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.tips = parse(tips)
        self.lookup_failures = parse(lookup_failures)

    # The storage is a database: its calls run in a worker thread, off the event loop.

    async def tip_submitted(self, client: str) -> None:
        """Count a tip from ``client``; refuse it once the client's budget is spent."""
        client = budget_key(client)
        if not await asyncio.to_thread(self._limiter.hit, self.tips, "tips", client):
            await self._refuse(
                self.tips, "tips", client, "提交线索过于频繁", "too many tips from this address"
            )

    async def check_lookup(self, client: str) -> None:
        """Refuse while ``client`` has used up its failed lookups."""
        client = budget_key(client)
        item = self.lookup_failures
        if not await asyncio.to_thread(self._limiter.test, item, "lookup-failures", client):
            await self._refuse(
                item, "lookup-failures", client, "查询失败次数过多", "too many failed lookups"
            )

    async def lookup_failed(self, client: str) -> None:
        client = budget_key(client)
        await asyncio.to_thread(self._limiter.hit, self.lookup_failures, "lookup-failures", client)

    async def _refuse(
        self, item: RateLimitItem, budget: str, client: str, zh: str, en: str
    ) -> NoReturn:
        """Throttled, with the seconds until ``client`` may try again (the Retry-After)."""
        stats = await asyncio.to_thread(self._limiter.get_window_stats, item, budget, client)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise Throttled(
            f"{zh}，请 {wait} 秒后再试", f"{en}; try again in {wait} seconds", retry_after=wait
        )
