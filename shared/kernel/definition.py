"""What a deciding service declares about itself, and what every one of them holds.

A service is its topic, the aggregate kinds it decides, the application object its
command handlers work on, the other topics it follows into views or reacts to, the
timers it runs and the routers that translate HTTP into commands. The kernel builds
the rest, the same way for every service (``shared.kernel.process``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import APIRouter

from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.eventstore import AggregateKind, EventStore
from shared.kafka.consumer import Received
from shared.kernel.kernel import Kernel
from shared.settings import Settings

AppT = TypeVar("AppT")


@dataclass(frozen=True)
class View(Generic[AppT]):
    """Another service's topic kept as a local view: replayed from offset 0 at start,
    then followed. ``apply`` picks the view's fold out of the application."""

    topic: str
    apply: Callable[[AppT], Callable[[CloudEvent, DomainEvent], object]]


@dataclass(frozen=True)
class Policy(Generic[AppT]):
    """A reaction to each event of another service's topic (at least once: the
    handler must be idempotent)."""

    topic: str
    handle: Callable[[AppT, Received], Awaitable[object]]


@dataclass(frozen=True)
class Timer(Generic[AppT]):
    """Work run on the service's clock once the service is ready, then every
    ``interval(settings)`` seconds of wall time; a failed pass is retried at the next.
    ``wait_first``: the first pass comes one interval after the service is ready
    rather than at once."""

    name: str
    run: Callable[[AppT], Awaitable[object]]
    interval: Callable[[Settings], float]
    wait_first: bool = False


@dataclass(frozen=True)
class ServiceDefinition(Generic[AppT]):
    """A deciding service, declared. ``application`` builds the object the command
    handlers, policies, timers and routes share, from the kernel; ``store`` is the
    event store class (one with indexes of its own, or the plain one)."""

    name: str
    topic: str
    description: str
    kinds: Sequence[AggregateKind]
    application: Callable[[Kernel], AppT]
    routers: Sequence[APIRouter]
    store: type[EventStore] = EventStore
    views: Sequence[View[AppT]] = ()
    policies: Sequence[Policy[AppT]] = ()
    timers: Sequence[Timer[AppT]] = ()
