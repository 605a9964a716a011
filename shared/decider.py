"""The decider pattern: pure ``decide`` and ``evolve`` over an initial state.

No I/O, no clock, no randomness inside: whatever a decision needs from the world
(the time, a random token, the actor) travels in the command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from shared.events.base import DomainEvent

C = TypeVar("C", contravariant=True)
S = TypeVar("S")


class Decider(Protocol[C, S]):
    def initial_state(self) -> S: ...

    def decide(self, command: C, state: S) -> Sequence[DomainEvent]: ...

    def evolve(self, state: S, event: DomainEvent) -> S: ...


def fold(decider: Decider[C, S], events: Iterable[DomainEvent]) -> S:
    state = decider.initial_state()
    for event in events:
        state = decider.evolve(state, event)
    return state
