"""What every deciding service's application holds. Plain: the application layers
import it, and they take no HTTP or broker code (``pyproject.toml``'s contracts)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Self

from shared.clock import Clock
from shared.eventstore import EventStore
from shared.ports import EventLog
from shared.settings import Settings


@dataclass
class Kernel:
    """What every deciding service's application holds: who it is, its settings and
    clock, the event store its commands go through, and the log it publishes to.
    ``ready`` is set once the decision state and the followed views are caught up."""

    service: str
    settings: Settings
    clock: Clock
    store: EventStore
    log: EventLog
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class KernelApp:
    """The base of a service's application object: the kernel, whose settings and
    clock every handler reads. ``build`` makes one from the kernel alone; a service
    whose application holds more parts of its own builds them in its override."""

    kernel: Kernel

    @classmethod
    def build(cls, kernel: Kernel) -> Self:
        return cls(kernel)

    @property
    def settings(self) -> Settings:
        return self.kernel.settings

    @property
    def clock(self) -> Clock:
        return self.kernel.clock
