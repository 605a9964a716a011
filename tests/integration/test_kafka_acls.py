"""Access control on the real broker (SASL/SCRAM-SHA-512, StandardAuthorizer, nothing
allowed without an ACL): a subscribing department reads what it was granted and
nothing else, writes nothing, creates and deletes nothing; a service writes its own
topic only; no login, a wrong password or a revoked department gets nothing."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from pydantic import SecretStr

from services.cli import main
from shared.kafka import subscribers
from shared.kafka.access import faust_group
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import DIRECTORY, EVALUATION, EVENT_TOPICS, INTAKE, RECTIFICATION, dlq
from tests.conftest import SessionBroker

pytestmark = pytest.mark.kafka

_numbers = itertools.count()
WAIT_S = 15.0
# A client whose login is refused keeps trying to bootstrap until this runs out.
BOOTSTRAP_MS = 3000


@pytest.fixture
def broker(kafka_broker: SessionBroker) -> SessionBroker:
    if kafka_broker.logins is None:
        pytest.skip("the configured broker has no SASL: ACLs cannot be tested on it")
    return kafka_broker


def as_user(admin: Settings, username: str, password: str) -> Settings:
    return admin.model_copy(
        update={"kafka_username": username, "kafka_password": SecretStr(password)}
    )


@pytest.fixture
def department(broker: SessionBroker) -> Iterator[tuple[str, Settings]]:
    """A department granted intake.events only, logged in with its printed password."""
    name = f"audit{os.getpid()}x{next(_numbers)}"
    added = subscribers.add(broker.admin, name, [INTAKE])
    yield name, as_user(broker.admin, name, added.password)
    subscribers.revoke(broker.admin, name)


def eventually(check: Callable[[], bool], what: str) -> None:
    """ACLs and logins reach the authorizer through the metadata log, a moment later."""
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_S:.0f} s: {what}")
        time.sleep(0.3)


def publish_one(settings: Settings, topic: str) -> None:
    producer = KafkaProducer(**client_options(settings), max_block_ms=5000)
    try:
        producer.send(topic, key=b"k", value=b"acl-test").get(timeout=10)
    finally:
        producer.close(timeout=5)


def write_refused(settings: Settings, topic: str) -> bool:
    """True if the broker refuses a record on ``topic`` (idempotence off: the refusal
    then comes from the topic's ACL, not from the producer id request)."""
    try:
        producer = KafkaProducer(
            **client_options(settings),
            enable_idempotence=False,
            acks="all",
            max_block_ms=5000,
            bootstrap_timeout_ms=BOOTSTRAP_MS,
        )
    except KafkaError:
        return True
    try:
        producer.send(topic, key=b"k", value=b"forged").get(timeout=10)
    except KafkaError:
        return True
    finally:
        producer.close(timeout=5)
    return False


def read_records(settings: Settings, topic: str, group: str | None = None) -> list[Any]:
    consumer = KafkaConsumer(
        **client_options(settings),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
        bootstrap_timeout_ms=BOOTSTRAP_MS,
    )
    try:
        if group is None:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                raise PermissionError(f"{topic} is not visible")
            consumer.assign([TopicPartition(topic, p) for p in partitions])
        else:
            consumer.subscribe([topic])
        records = list(consumer)
        if group is not None:
            consumer.commit()
        return records
    finally:
        consumer.close()


def read_refused(settings: Settings, topic: str) -> bool:
    try:
        read_records(settings, topic)
    except (KafkaError, PermissionError):
        return True
    return False


def admin_of(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(**client_options(settings), request_timeout_ms=5000)


def test_a_department_reads_its_topic_in_its_own_groups(
    broker: SessionBroker, department: tuple[str, Settings]
) -> None:
    name, settings = department
    publish_one(broker.settings_of("intake", broker.admin), INTAKE)
    eventually(lambda: not read_refused(settings, INTAKE), "the department reads intake.events")
    assert read_records(settings, INTAKE, group=f"{name}-dashboard")
    with pytest.raises(KafkaError):  # a group outside its prefix
        read_records(settings, INTAKE, group=f"other-{name}")
    assert read_refused(settings, RECTIFICATION)  # not granted


def test_a_department_writes_no_topic(department: tuple[str, Settings]) -> None:
    _, settings = department
    eventually(lambda: not read_refused(settings, INTAKE), "the department is set up")
    for topic in (*EVENT_TOPICS, *(dlq(t) for t in EVENT_TOPICS)):
        assert write_refused(settings, topic), topic
    with pytest.raises(KafkaError):  # an idempotent producer is refused its producer id
        publish_one(settings, INTAKE)


def test_a_department_reads_no_dead_letters_or_internal_topics(
    department: tuple[str, Settings],
) -> None:
    _, settings = department
    eventually(lambda: not read_refused(settings, INTAKE), "the department is set up")
    for topic in (dlq(INTAKE), dlq(DIRECTORY), "__consumer_offsets", f"{faust_group('intake')}-x"):
        assert read_refused(settings, topic), topic
    admin = admin_of(settings)
    try:
        visible = set(admin.list_topics())
    finally:
        admin.close()
    assert visible == {INTAKE}


def test_a_department_creates_and_deletes_no_topic(
    broker: SessionBroker, department: tuple[str, Settings]
) -> None:
    name, settings = department
    eventually(lambda: not read_refused(settings, INTAKE), "the department is set up")
    admin = admin_of(settings)
    try:
        with pytest.raises(KafkaError):
            admin.create_topics({f"{name}-own": {"num_partitions": 1, "replication_factor": 1}})
        with pytest.raises(KafkaError):
            admin.delete_topics([INTAKE])
    finally:
        admin.close()
    check = admin_of(broker.admin)
    try:
        topics = set(check.list_topics())
    finally:
        check.close()
    assert INTAKE in topics and f"{name}-own" not in topics


def test_intake_writes_its_own_topic_and_no_other(broker: SessionBroker) -> None:
    intake = broker.settings_of("intake", broker.admin)
    publish_one(intake, INTAKE)
    publish_one(intake, dlq(DIRECTORY))  # it dead-letters what it cannot read of a topic it reads
    for topic in (RECTIFICATION, DIRECTORY, dlq(RECTIFICATION)):
        assert write_refused(intake, topic), topic
    reporting = broker.settings_of("reporting", broker.admin)
    for topic in EVENT_TOPICS:
        assert write_refused(reporting, topic), topic  # reporting reads, never writes events
        assert not read_refused(reporting, topic)


def test_no_login_or_a_wrong_password_gets_nothing(
    broker: SessionBroker, department: tuple[str, Settings]
) -> None:
    name, _ = department
    anonymous = broker.admin.model_copy(update={"kafka_security_protocol": "PLAINTEXT"})
    wrong = as_user(broker.admin, name, "not-the-password")
    for settings in (anonymous, wrong):
        with pytest.raises(KafkaError):
            KafkaAdminClient(
                **client_options(settings), bootstrap_timeout_ms=3000, request_timeout_ms=3000
            ).list_topics()
        assert write_refused(settings, INTAKE)


def test_revoking_a_department_ends_its_access(broker: SessionBroker) -> None:
    name = f"gone{os.getpid()}x{next(_numbers)}"
    added = subscribers.add(broker.admin, name, [INTAKE, DIRECTORY])
    settings = as_user(broker.admin, name, added.password)
    eventually(lambda: not read_refused(settings, DIRECTORY), "the department reads")
    assert subscribers.revoke(broker.admin, name) == (True, 6)
    eventually(lambda: read_refused(settings, DIRECTORY), "the revoked department is refused")
    assert name not in {s.department for s in subscribers.subscribers(broker.admin)}


def test_the_cli_adds_lists_and_revokes_a_department(
    broker: SessionBroker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.settings import get_settings

    admin = broker.admin
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", admin.kafka_bootstrap_servers)
    monkeypatch.setenv("KAFKA_USERNAME", admin.kafka_username)
    monkeypatch.setenv("KAFKA_PASSWORD", admin.kafka_password.get_secret_value())
    get_settings.cache_clear()
    name = f"cli{os.getpid()}x{next(_numbers)}"
    try:
        assert main(["subscribers", "add", name, "--topics", INTAKE, EVALUATION]) == 0
        printed = capsys.readouterr().out
        password = printed.split("(shown once): ")[1].split()[0]
        assert f"{name}-" in printed
        settings = as_user(admin, name, password)
        eventually(lambda: not read_refused(settings, INTAKE), "the CLI's department reads")
        assert main(["subscribers", "list"]) == 0
        listed = capsys.readouterr().out
        assert any(
            line.split()[:3] == [name, f"{EVALUATION},", INTAKE] for line in listed.splitlines()
        )
        assert password not in listed
        for refused in (dlq(INTAKE), "__consumer_offsets", "campaign-intake-__assignor-__leader"):
            assert main(["subscribers", "add", name, "--topics", refused]) == 2
            error = capsys.readouterr().err
            assert (
                "--topics" in error
                and "不是可订阅的事件主题" in error
                and "not an event topic" in error
            )
        assert main(["subscribers", "add", "intake", "--topics", INTAKE]) == 2
        assert "DEPT" in capsys.readouterr().err
        assert main(["subscribers", "revoke", name]) == 0
        assert "ACLs removed" in capsys.readouterr().out
        eventually(lambda: read_refused(settings, INTAKE), "the revoked department is refused")
    finally:
        subscribers.revoke(admin, name)
        get_settings.cache_clear()


def test_a_service_runs_on_its_own_principal(
    broker: SessionBroker, service_client: Callable[..., Any]
) -> None:
    client = service_client("evaluation")
    health = client.get("/health").json()
    assert health["kafka"]["reachable"] is True
    assert client.app.state.runtime.settings.kafka_username == "evaluation"
    admin = admin_of(broker.admin)
    try:
        eventually(
            lambda: faust_group("evaluation") in {g.get("group_id") for g in admin.list_groups()},
            "faust's group joined as the evaluation principal",
        )
    finally:
        admin.close()
