"""Reactions to other topics: the directory (campaign thresholds, agencies and
regulated entities) is folded into an in-memory projection."""

from __future__ import annotations

import asyncio

from services.evaluation.directory import Directory
from shared.kafka.consumer import Received
from shared.kafka.replay import replay_topic
from shared.runtime import Handler, ServiceRuntime
from shared.settings import Settings
from shared.topics import DIRECTORY


def directory_handler(directory: Directory) -> Handler:
    async def on_directory_event(received: Received) -> None:
        directory.apply(received.envelope, received.event)

    return on_directory_event


async def load_directory(settings: Settings, directory: Directory) -> int:
    """Read ``directory.events`` from offset 0 before serving, so a restarted service
    (whose consumer group resumes from its committed offsets) knows everything."""
    return await asyncio.to_thread(replay_topic, settings, DIRECTORY, directory.apply)


def subscribe(runtime: ServiceRuntime, directory: Directory) -> None:
    runtime.subscribe(DIRECTORY, directory_handler(directory))
