"""The topics this platform owns and publishes (a contract other departments build on)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.settings import Settings

DIRECTORY = "directory.events"
INTAKE = "intake.events"
RECTIFICATION = "rectification.events"
EVALUATION = "evaluation.events"

EVENT_TOPICS: tuple[str, ...] = (DIRECTORY, INTAKE, RECTIFICATION, EVALUATION)
TOPIC_OF_SERVICE: dict[str, str] = {
    "directory": DIRECTORY,
    "intake": INTAKE,
    "rectification": RECTIFICATION,
    "evaluation": EVALUATION,
}


def dlq(topic: str) -> str:
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Event topics keep events forever and are never compacted (the log is the truth)."""
    config = {
        "retention.ms": "-1",
        "retention.bytes": "-1",
        "cleanup.policy": "delete",
        "min.insync.replicas": str(settings.topic_min_insync_replicas),
    }
    specs = []
    for name in EVENT_TOPICS:
        for topic in (name, dlq(name)):
            specs.append(
                TopicSpec(
                    name=topic,
                    partitions=settings.topic_partitions,
                    replication_factor=settings.topic_replication_factor,
                    config=dict(config),
                )
            )
    return specs
