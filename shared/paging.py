"""Paged lists: the window of one page taken from a scan of the state file without
holding every match in memory (the query parameters are ``shared.params``)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def window(
    rows: Iterable[T], *, key: Callable[[T], Any], offset: int, limit: int
) -> tuple[int, list[T]]:
    """How many ``rows`` there are, and those at ``offset`` .. ``offset + limit`` in
    ``key`` order (ties in the order given). Holds at most ``offset + limit`` rows: a
    province's worth of matches is counted, not kept."""
    total = 0

    def counted() -> Iterator[T]:
        nonlocal total
        for row in rows:
            total += 1
            yield row

    first = heapq.nsmallest(offset + limit, counted(), key=key)
    return total, first[offset:]
