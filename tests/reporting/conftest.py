"""Fixtures of the reporting tests: read-model databases (SQLite, and a real
PostgreSQL from ``REPORTING_TEST_POSTGRES_URL`` or ``deploy/postgres/pgctl.py``)."""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from services.reporting.readmodels.schema import create_tables, make_engine
from shared.actors import Role
from shared.envelope import CloudEvent
from shared.kafka.producer import EventPublisher
from shared.kafka.security import client_options
from shared.settings import Settings
from tests.reporting.postgres import local_postgres
from tests.reporting.sample_events import (
    EventLog,
    complete_history,
    full_story,
    register_agency,
    topic_of,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'readmodels.db'}"


def _with_tables(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    yield from _with_tables(sqlite_url)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL for the session (its ``campaign`` database)."""
    configured = os.environ.get("REPORTING_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    with local_postgres("campaign-test-pg-") as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database on the session's server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    yield from _with_tables(postgres_url)


@pytest.fixture
def publish(broker_settings: Settings) -> Iterator[Callable[[list[CloudEvent]], None]]:
    """Publish envelopes to their service's topic on the session broker."""
    publisher = EventPublisher(broker_settings)

    def send(envelopes: list[CloudEvent]) -> None:
        by_topic: defaultdict[str, list[CloudEvent]] = defaultdict(list)
        for envelope in envelopes:
            by_topic[topic_of(envelope)].append(envelope)
        for topic, batch in by_topic.items():
            publisher.publish(topic, batch)

    yield send
    publisher.close()


def end_offsets(settings: Settings) -> dict[str, int]:
    """The current end of every partition of the four event topics ("topic:partition")."""
    from kafka import KafkaConsumer, TopicPartition

    from shared.topics import EVENT_TOPICS

    consumer = KafkaConsumer(**client_options(settings))
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in EVENT_TOPICS
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions)
    finally:
        consumer.close()
    return {f"{tp.topic}:{tp.partition}": offset for tp, offset in ends.items()}


def wait_until_projected(
    client: TestClient, settings: Settings, header: dict[str, str], timeout: float = 60
) -> None:
    """Poll the service until its stored offsets reach the topics' current ends."""
    wanted = end_offsets(settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get("/projector", headers=header)
        if answer.status_code == 200:
            stored = answer.json()["offsets"]
            if all(stored.get(key, 0) >= end for key, end in wanted.items()):
                return
        time.sleep(0.1)
    pytest.fail(f"the projector did not reach {wanted} within {timeout} s")


@pytest.fixture
def two_agencies(
    service_client: Callable[..., TestClient],
    publish: Callable[[list[CloudEvent]], None],
    auth_header: Callable[..., dict[str, str]],
    keys: dict[str, str],
    tmp_path: Path,
    broker_settings: Settings,
) -> tuple[TestClient, EventLog]:
    """A reporting service that has projected two agencies' whole stories: ``keys['a']``
    in 360102 and ``keys['b']`` in 360702 (another city). ``keys``: the module's own,
    made fresh as often as its tests need."""
    log = complete_history(f"a{keys['key']}", agency=keys["a"], region="360102")
    register_agency(log, keys["b"], "360702", name="章贡区市场监督管理局")
    full_story(log, f"b{keys['key']}", keys["b"], "360702")
    publish(log.envelopes)
    client = service_client("reporting", readmodel_url=f"sqlite:///{tmp_path / 'live.db'}")
    wait_until_projected(client, broker_settings, auth_header(Role.auditor, "audit", "360000"))
    return client, log
