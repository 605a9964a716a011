"""Given / when / then for deciders: domain tests need no broker. And, for the tests
that do run on one, a wait for what a consumer makes of it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from shared.decider import Decider, fold
from shared.errors import Refusal
from shared.events.base import DomainEvent

C = TypeVar("C")
S = TypeVar("S")
T = TypeVar("T")


class Scenario(Generic[C, S]):
    def __init__(self, decider: Decider[C, S], history: Sequence[DomainEvent]) -> None:
        self._decider = decider
        self._history = list(history)
        self._command: Any = None

    def when(self, command: C) -> Scenario[C, S]:
        self._command = command
        return self

    def decided(self) -> list[DomainEvent]:
        state = fold(self._decider, self._history)
        return list(self._decider.decide(self._command, state))

    def then(self, *expected: DomainEvent) -> list[DomainEvent]:
        actual = self.decided()
        assert actual == list(expected), f"expected {list(expected)!r}\n     got {actual!r}"
        return actual

    def then_refused(self, kind: type[Refusal], contains: str = "") -> Refusal:
        try:
            events = self.decided()
        except kind as refusal:
            message = f"{refusal.zh} {refusal.en}"
            assert contains in message, f"{contains!r} not in {message!r}"
            assert refusal.zh and refusal.en, "a refusal names the problem in Chinese and English"
            return refusal
        raise AssertionError(f"expected {kind.__name__}, but it decided {events!r}")

    def state(self) -> S:
        return fold(self._decider, self._history)


def given(decider: Decider[C, S], *history: DomainEvent) -> Scenario[C, S]:
    return Scenario(decider, history)


def wait_for(
    check: Callable[[], T | None],
    what: str,
    *,
    seen: Sequence[object] = (),
    timeout: float = 45.0,
    interval: float = 0.5,
) -> T:
    """``check``'s first truthy answer, asked every ``interval`` seconds for at most
    ``timeout``: a consumer on the broker catches up in its own time. ``seen``: what
    the checks recorded, the last three of which a failure shows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    shown = f" {list(seen)[-3:]}" if seen else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")
