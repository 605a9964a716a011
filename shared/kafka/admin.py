"""Idempotent topic creation (the admin's step), the topics a service needs, and a
broker reachability probe."""

from __future__ import annotations

from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.errors import Unavailable
from shared.kafka.security import KafkaLoginMissing, client_options
from shared.settings import Settings
from shared.topics import TopicSpec, topic_specs


class TopicsMissing(Unavailable):
    """A service's topics do not exist (or its principal may not see them)."""

    def __init__(self, service: str, missing: list[str]) -> None:
        names = ", ".join(missing)
        super().__init__(
            f"{service} 所需的主题不存在或其 Kafka 主体无权查看：{names}；请先以管理员身份运行 "
            "`campaign kafka provision`",
            f"topics {service} needs do not exist or its Kafka principal may not see them: "
            f"{names}; run `campaign kafka provision` as the admin first",
            code="topics_missing",
        )
        self.missing = missing


def admin_client(settings: Settings, **options: object) -> KafkaAdminClient:
    return KafkaAdminClient(
        **client_options(settings),
        client_id="campaign-admin",
        request_timeout_ms=settings.kafka_request_timeout_ms,
        **options,
    )


def ensure_topics(settings: Settings, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create the missing topics; return the names created. Running it again creates
    nothing. Needs CREATE on the topics: the admin's step, not a service's."""
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


def require_topics(settings: Settings, service: str, topics: Iterable[str]) -> None:
    """Raise ``TopicsMissing`` unless every one of ``topics`` exists and the process's
    principal may see it (the broker lists only topics one may DESCRIBE)."""
    wanted = list(topics)
    if not wanted:
        return
    admin = admin_client(settings)
    try:
        visible = set(admin.list_topics())
    finally:
        admin.close()
    missing = [topic for topic in wanted if topic not in visible]
    if missing:
        raise TopicsMissing(service, missing)


def broker_reachable(settings: Settings, timeout_ms: int = 3000) -> tuple[bool, str]:
    """Whether a broker answers a metadata request; with the reason when it does not."""
    try:
        admin = KafkaAdminClient(
            **client_options(settings),
            client_id="campaign-health",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, KafkaLoginMissing) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    try:
        admin.list_topics()
        return True, "ok"
    except KafkaError as exc:
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        admin.close()
