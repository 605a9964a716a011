"""Wiring shared by the service processes: one FastAPI app and, beside it on the
same event loop, a faust app for reacting to other services' events and timers."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import faust
from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from shared.clock import Clock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.eventstore import EventStore
from shared.kafka.access import SERVICES
from shared.kafka.admin import require_topics
from shared.kafka.consumer import UNREADABLE, DeadLetters, Received, decode_record
from shared.kafka.replay import catch_up, replay_topic
from shared.kafka.security import faust_credentials
from shared.ports import EventLog
from shared.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[Received], Awaitable[None]]
Apply = Callable[[CloudEvent, DomainEvent], object]


def faust_broker_url(bootstrap_servers: str) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in bootstrap_servers.split(","))


def build_faust_app(service: str, settings: Settings) -> faust.App:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return faust.App(
        f"campaign-{service}",
        broker=faust_broker_url(settings.kafka_bootstrap_servers),
        broker_credentials=faust_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        web_enabled=False,
        autodiscover=False,
        store="memory://",
        datadir=str(settings.data_dir / f"faust-{service}"),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=50,
        broker_commit_interval=1.0,
        # A member that died without leaving (SIGKILL, a lost host) holds its partitions
        # until the group gives up on it, and a restarted service waits for that before
        # it answers: 15 s rather than faust's 60 (heartbeats go every 3 s).
        broker_session_timeout=15.0,
    )


@dataclass
class ServiceRuntime:
    """Everything one service process holds; built once by its bootstrap."""

    service: str
    settings: Settings
    clock: Clock
    publisher: EventLog
    store: EventStore | None = None
    faust_app: faust.App | None = None
    dead_letters: DeadLetters = field(init=False)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    _followed: list[tuple[str, Apply]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dead_letters = DeadLetters(self.publisher)

    def subscribe(self, topic_name: str, handle: Handler) -> None:
        """Run ``handle`` for every readable event on ``topic_name`` (at least once);
        unreadable records go to the dead-letter topic."""
        assert self.faust_app is not None, "this service has no faust app"
        topic = self.faust_app.topic(topic_name, value_type=bytes, key_type=bytes)

        async def agent(stream: Any) -> None:
            async for event in stream.events():
                m = event.message
                try:
                    # On the loop: decoding costs less than a hop to a worker thread.
                    received = decode_record(m.topic, m.partition, m.offset, m.key, m.value)
                except UNREADABLE as exc:  # the dead letter waits for its ack: off the loop
                    await asyncio.to_thread(
                        self.dead_letters.send,
                        m.topic,
                        m.partition,
                        m.offset,
                        m.key,
                        m.value,
                        exc.reason,
                    )
                    continue
                await self.ready.wait()
                await handle(received)

        agent.__name__ = f"{self.service}_{topic_name.replace('.', '_')}_{handle.__name__}"
        self.faust_app.agent(topic, name=agent.__name__)(agent)

    def follow(self, topic_name: str, apply: Apply) -> None:
        """Keep a local view of another service's topic: replay it from offset 0 at
        start (a restarted consumer group resumes from its committed offsets and would
        miss the past), then apply each new event. ``apply`` must ignore what it has
        already seen, since the two overlap."""
        self._followed.append((topic_name, apply))

        async def follow(received: Received) -> None:
            apply(received.envelope, received.event)

        self.subscribe(topic_name, follow)

    def lifespan(self) -> Callable[[FastAPI], Any]:
        @asynccontextmanager
        async def run(api: FastAPI) -> AsyncIterator[None]:
            # Topics are the admin's to create (campaign kafka provision); a service
            # only checks that the ones it uses are there.
            access = SERVICES.get(self.service)
            needed = access.topics if access is not None else ()
            await asyncio.to_thread(require_topics, self.settings, self.service, needed)
            if self.store is not None:
                store = self.store
                count = await asyncio.to_thread(
                    catch_up, self.settings, store.topic, store.state_file, store.apply
                )
                how = "resumed from the state file" if store.state_file.resumed else "rebuilt"
                log.info("%s: decision state %s; %d events folded", self.service, how, count)
            for topic_name, apply in self._followed:
                count = await asyncio.to_thread(replay_topic, self.settings, topic_name, apply)
                log.info("%s: read %d events of %s", self.service, count, topic_name)
            # The modules, the app and the state just rebuilt live as long as the process:
            # keep them out of the collector's full passes, which would otherwise walk
            # them again and again and stall requests for tens of milliseconds.
            gc.freeze()
            self.ready.set()
            try:
                if self.faust_app is not None:
                    async with faust_app_running(self.faust_app, stop_timeout=15):
                        yield
                else:
                    yield
            finally:
                await self.publisher.aclose()
                if self.store is not None:
                    self.store.state_file.stopped()  # the next start reads on from here

        return run
