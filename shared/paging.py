"""Paged lists: the window of one page taken from a scan of the state file without
holding every match in memory, and the page a list answers with (the query parameters
are ``shared.params``)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Self, TypeVar

from pydantic import BaseModel

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


class Page(BaseModel):
    """One page of a list: how many rows there are in all, and where the page starts.
    A subclass adds the one field holding the page's rows, under its API's name."""

    total: int
    offset: int
    limit: int

    @classmethod
    def of(
        cls,
        listed: tuple[int, Iterable[T]],
        offset: int,
        limit: int,
        view: Callable[[T], Any],
    ) -> Self:
        """The page of ``listed`` (how many, and the rows of this page, as ``window``
        gives them), each row shown as ``view`` shows it."""
        total, rows = listed
        (name,) = (field for field in cls.model_fields if field not in Page.model_fields)
        return cls(total=total, offset=offset, limit=limit, **{name: [view(row) for row in rows]})
