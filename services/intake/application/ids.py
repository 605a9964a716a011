"""The ids and random draws intake's handlers make (``shared.ids`` underneath)."""

from __future__ import annotations

from collections.abc import Callable

from shared.ids import prefixed_id, random_below, unique_id


def new_tip_id() -> str:
    return prefixed_id("tip-", 20)


def new_problem_id() -> str:
    return prefixed_id("prb-", 20)


def new_correlation_id() -> str:
    return unique_id()


def secret_random_below() -> Callable[[int], int]:
    """The draw of one receipt code's symbols: ``shared.ids.random_below``, uniform
    and from the operating system's CSPRNG, read in blocks."""
    return random_below
