"""Everything the intake API, policies and timers share, built once by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.clock import Clock
from shared.keyed_locks import KeyedLocks
from shared.runtime import ServiceRuntime
from shared.settings import Settings

from .client_address import TrustedProxies
from .directory.view import IntakeDirectory
from .store import IntakeStore
from .throttle import RateLimits
from .tipster_privacy import TipsterPrivacy


@dataclass
class IntakeParts:
    settings: Settings
    clock: Clock
    runtime: ServiceRuntime
    store: IntakeStore
    directory: IntakeDirectory
    privacy: TipsterPrivacy
    throttle: RateLimits
    proxies: TrustedProxies = field(default_factory=TrustedProxies)
    idempotency_locks: KeyedLocks = field(default_factory=KeyedLocks)
