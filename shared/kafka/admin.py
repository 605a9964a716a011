"""Idempotent topic creation and a broker reachability probe."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.settings import Settings
from shared.topics import TopicSpec, topic_specs


def admin_client(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="campaign-admin",
        request_timeout_ms=settings.kafka_request_timeout_ms,
    )


def ensure_topics(settings: Settings, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create the missing topics; return the names created. Running it again creates nothing."""
    wanted = specs if specs is not None else topic_specs(settings)
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in wanted if spec.name not in existing]
        created: list[str] = []
        for spec in missing:
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            name=spec.name,
                            num_partitions=spec.partitions,
                            replication_factor=spec.replication_factor,
                            topic_configs=spec.config,
                        )
                    ]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass  # another process created it between list and create
        return created
    finally:
        admin.close()


def broker_reachable(settings: Settings, timeout_ms: int = 3000) -> tuple[bool, str]:
    """Whether a broker answers a metadata request; with the reason when it does not."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id="campaign-health",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except KafkaError as exc:
        return False, f"{type(exc).__name__}: {exc}"
    try:
        admin.list_topics()
        return True, "ok"
    except KafkaError as exc:
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        admin.close()
