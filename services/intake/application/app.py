"""Intake's application object: what its command handlers, policies and timers share,
built once from the kernel (``IntakeApp.build``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.kernel.kernel import Kernel, KernelApp
from shared.keyed_locks import KeyedLocks
from shared.privacy import KeyStore

from ..client_address import TrustedProxies
from ..directory.view import IntakeDirectory
from ..store import IntakeStore
from ..throttle import RateLimits
from ..tipster_privacy import TipsterPrivacy


@dataclass
class IntakeApp(KernelApp):
    """``directory``: campaigns and agencies followed from ``directory.events``;
    ``privacy``: the tipsters' sealed data; ``throttle``: the public routes' rate
    limits; ``proxies``: whose forwarding headers name the client;
    ``idempotency_locks``: one submission per Idempotency-Key at a time."""

    directory: IntakeDirectory
    privacy: TipsterPrivacy
    throttle: RateLimits
    proxies: TrustedProxies = field(default_factory=TrustedProxies)
    idempotency_locks: KeyedLocks = field(default_factory=KeyedLocks)
    store: IntakeStore = field(init=False)

    def __post_init__(self) -> None:
        # The kernel builds the store from the definition's class: intake's has the
        # look-ups and work lists the handlers read.
        store = self.kernel.store
        if not isinstance(store, IntakeStore):
            raise TypeError(f"intake needs an IntakeStore, not {type(store).__name__}")
        self.store = store

    @classmethod
    def build(cls, kernel: Kernel) -> IntakeApp:
        settings = kernel.settings
        return cls(
            kernel=kernel,
            directory=IntakeDirectory(),
            privacy=TipsterPrivacy(KeyStore(settings.resolved_keystore_url, kernel.clock)),
            throttle=RateLimits(
                settings.resolved_rate_limit_url,
                tips=settings.intake_tip_limit,
                lookup_failures=settings.intake_lookup_failure_limit,
            ),
            proxies=TrustedProxies.parse(settings.trusted_proxies),
        )
