"""Reactions to other topics: the directory (campaign thresholds, agencies and
regulated entities) is followed into an in-memory view."""

from __future__ import annotations

from services.evaluation.directory import Directory
from shared.runtime import ServiceRuntime
from shared.topics import DIRECTORY


def subscribe(runtime: ServiceRuntime, directory: Directory) -> None:
    runtime.follow(DIRECTORY, directory.apply)
