"""Run by test_compose_kafka.py inside its network namespace: start the compose broker
(deploy/compose/kafka-start.sh), use it as compose's processes would, print the results
as one ``RESULTS {json}`` line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from pydantic import SecretStr

from shared.kafka import subscribers
from shared.kafka.access import SERVICES
from shared.kafka.admin import broker_reachable
from shared.kafka.provision import provision
from shared.kafka.security import client_options
from shared.settings import Settings


def login(base: Settings, username: str, password: str, **more: Any) -> Settings:
    return base.model_copy(
        update={"kafka_username": username, "kafka_password": SecretStr(password), **more}
    )


def wait_until_up(admin: Settings, broker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not broker_reachable(admin)[0]:
        if broker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the broker did not start")
        time.sleep(1)


def department_reads(department: Settings) -> int:
    """Records the department reads in one of its groups (its ACLs arrive a moment later)."""
    for _ in range(20):
        consumer = KafkaConsumer(
            **client_options(department),
            group_id="audit_office-test",
            auto_offset_reset="earliest",
            consumer_timeout_ms=3000,
        )
        try:
            consumer.subscribe(["intake.events"])
            records = list(consumer)
        except KafkaError:
            records = []
        finally:
            consumer.close()
        if records:
            return len(records)
        time.sleep(1)
    return 0


def writes(settings: Settings, topic: str) -> bool:
    try:
        producer = KafkaProducer(
            **client_options(settings), enable_idempotence=False, max_block_ms=5000
        )
        producer.send(topic, value=b"forged").get(timeout=10)
    except KafkaError:
        return False
    producer.close()
    return True


def check(work: str, external: str) -> dict[str, Any]:
    base = Settings(
        kafka_bootstrap_servers="kafka:9092",
        kafka_security_protocol="SASL_SSL",
        kafka_ssl_cafile=f"{work}/tls/ca.crt",
        kafka_send_timeout_s=10,
    )
    admin = login(base, "admin", os.environ["KAFKA_ADMIN_PASSWORD"])
    passwords = {name: f"{name}-password-0123456789" for name in SERVICES}
    results: dict[str, Any] = {"topics": provision(admin, passwords).topics_created}
    intake = login(base, "intake", passwords["intake"])
    results["intake_wrote"] = writes(intake, "intake.events")
    added = subscribers.add(admin, "audit_office", ["intake.events"])
    department = login(base, "audit_office", added.password, kafka_bootstrap_servers=external)
    results["department_read"] = department_reads(department)
    results["department_wrote"] = writes(department, "intake.events")
    untrusted = intake.model_copy(update={"kafka_ssl_cafile": ""})
    results["untrusted_reachable"] = broker_reachable(untrusted)[0]
    return results


def main() -> None:
    work, external = sys.argv[1], sys.argv[2]
    with open(f"{work}/broker.out", "wb") as out:
        broker = subprocess.Popen(
            ["bash", os.environ["START"]], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(
            Settings(
                kafka_bootstrap_servers="kafka:9092",
                kafka_security_protocol="SASL_SSL",
                kafka_ssl_cafile=f"{work}/tls/ca.crt",
                kafka_username="admin",
                kafka_password=SecretStr(os.environ["KAFKA_ADMIN_PASSWORD"]),
            ),
            broker,
        )
        results = check(work, external)
    finally:
        broker.terminate()
        broker.wait(60)
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
