"""How every Kafka client of a process logs in, from its settings: kafka-python and
aiokafka take the same option names; faust takes ``broker_credentials``."""

from __future__ import annotations

import logging
import ssl
from functools import cache
from typing import Any

import faust

from shared.settings import Settings

# kafka-python warns on every SCRAM login without TLS that credentials travel "in the
# clear": SCRAM sends a salted proof, never the password, and the local broker is on
# the loopback (compose uses SASL_SSL). The warning would fill every service's log.
logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)


class KafkaLoginMissing(ValueError):
    """SASL is asked for but the process has no principal to log in as."""

    def __init__(self, field: str) -> None:
        super().__init__(
            f"{field} 未设置：KAFKA_SECURITY_PROTOCOL 要求以 SASL 登录 Kafka，请为本进程设置其"
            f"主体的用户名和密码（KAFKA_USERNAME / KAFKA_PASSWORD） / {field} is not set: "
            "KAFKA_SECURITY_PROTOCOL asks for a SASL login to Kafka; give this process its "
            "principal's KAFKA_USERNAME and KAFKA_PASSWORD"
        )
        self.field = field


def uses_sasl(settings: Settings) -> bool:
    return settings.kafka_security_protocol.startswith("SASL_")


@cache
def _ssl_context(cafile: str) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name (against ``cafile`` if given)."""
    return ssl.create_default_context(cafile=cafile or None)


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.kafka_security_protocol != "SASL_SSL":
        return None
    return _ssl_context(settings.kafka_ssl_cafile)


def login(settings: Settings) -> tuple[str, str]:
    """The principal's user name and password; ``KafkaLoginMissing`` if either is unset."""
    username = settings.kafka_username
    password = settings.kafka_password.get_secret_value()
    if not username:
        raise KafkaLoginMissing("KAFKA_USERNAME")
    if not password:
        raise KafkaLoginMissing("KAFKA_PASSWORD")
    return username, password


def client_options(settings: Settings) -> dict[str, Any]:
    """``bootstrap_servers`` and the security options of a kafka-python or aiokafka client."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if uses_sasl(settings):
        username, password = login(settings)
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=username,
            sasl_plain_password=password,
        )
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return options


def faust_credentials(settings: Settings) -> faust.SASLCredentials | None:
    """faust's ``broker_credentials`` (``None``: PLAINTEXT)."""
    if not uses_sasl(settings):
        return None
    username, password = login(settings)
    return faust.SASLCredentials(
        username=username,
        password=password,
        mechanism=settings.kafka_sasl_mechanism,
        ssl_context=ssl_context(settings),
    )
