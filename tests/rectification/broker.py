"""Talking to the real broker in the rectification tests: publish events the way their
owners would, read what the service wrote, start and stop the service."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from services.rectification.application import RectificationApp
from services.rectification.application.app import ITEM
from services.rectification.bootstrap import build_app
from services.rectification.domain.items.state import item_id_for
from shared.clock import Clock, SystemClock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    AgencyRecord,
    AgencyRegistered,
    CampaignRecord,
    CampaignRegistered,
)
from shared.events.intake import ProblemFound
from shared.eventstore import CommandContext, EventStore
from shared.kafka.producer import EventPublisher
from shared.kafka.replay import replay_topic
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import DIRECTORY, INTAKE, RECTIFICATION
from tests.rectification.factories import fresh, problem

T = TypeVar("T")
GROUP = "campaign-rectification"


def envelope_of(
    settings: Settings, source: str, topic: str, subject: str, event: DomainEvent, **context: str
) -> CloudEvent:
    store = EventStore(
        source=source, topic=topic, publisher=EventPublisher(settings), clock=SystemClock()
    )
    return store.envelope(subject, 1, event, CommandContext(**context))


def publish(settings: Settings, topic: str, *envelopes: CloudEvent) -> list[Any]:
    publisher = EventPublisher(settings)
    try:
        return publisher.publish(topic, list(envelopes))
    finally:
        publisher.close()


def problem_envelope(settings: Settings, problem: ProblemFound) -> CloudEvent:
    """``ProblemFound`` exactly as intake emits it (subject = problem id)."""
    return envelope_of(
        settings,
        "/intake",
        INTAKE,
        problem.problem_id,
        problem,
        actor="intake_officer:office-360100:360100",
        campaign_id=problem.campaign_id,
        region_code=problem.region_code,
    )


def publish_directory(settings: Settings, subject: str, event: DomainEvent, **context: str) -> None:
    """``event`` on the directory's topic, as the directory emits it."""
    publish(
        settings,
        DIRECTORY,
        envelope_of(settings, "/directory", DIRECTORY, subject, event, **context),
    )


def publish_campaign(settings: Settings, campaign: CampaignRecord) -> None:
    publish_directory(
        settings,
        campaign.campaign_id,
        CampaignRegistered(campaign=campaign),
        campaign_id=campaign.campaign_id,
        region_code=campaign.region_code,
    )


def publish_agency(settings: Settings, agency: AgencyRecord) -> None:
    publish_directory(
        settings, agency.agency_id, AgencyRegistered(agency=agency), region_code=agency.region_code
    )


def events_about(settings: Settings, subject: str) -> list[DomainEvent]:
    """Every event the service wrote about ``subject``, in order (read from offset 0)."""
    found: list[DomainEvent] = []

    def keep(envelope: CloudEvent, event: DomainEvent) -> None:
        if envelope.subject == subject:
            found.append(event)

    replay_topic(settings, RECTIFICATION, keep)
    return found


def records_with_key(settings: Settings, topic: str, key: bytes) -> list[ConsumerRecord]:
    """The records of ``topic`` (every partition, from the start) whose key is ``key``."""
    consumer = KafkaConsumer(**client_options(settings))
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        found: list[ConsumerRecord] = []
        while batches := consumer.poll(timeout_ms=500):
            found += [r for batch in batches.values() for r in batch if r.key == key]
        return found
    finally:
        consumer.close()


def consumed_past(settings: Settings, partition: int, offset: int) -> bool:
    """True once the service's consumer group committed past ``offset`` of intake.events."""
    admin = KafkaAdminClient(**client_options(settings))
    try:
        offsets = admin.list_group_offsets({GROUP: [TopicPartition(INTAKE, partition)]})
    finally:
        admin.close()
    committed = offsets.get(GROUP, {}).get(TopicPartition(INTAKE, partition))
    return committed is not None and committed.offset > offset


def wait_for(probe: Callable[[], T | None], timeout: float = 30.0, what: str = "it") -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def start_service(settings: Settings, clock: Clock | None = None) -> TestClient:
    client = TestClient(build_app(settings, clock))
    client.__enter__()
    return client


def application_of(client: TestClient) -> RectificationApp:
    app: RectificationApp = client.app.state.application  # type: ignore[attr-defined]
    return app


def wait_for_item(client: TestClient, problem_id: str) -> Any:
    """The item of ``problem_id`` once the service has opened it."""
    item_id = item_id_for(problem_id)
    return wait_for(
        lambda: application_of(client).store.get(ITEM, item_id), what=f"item {item_id} to open"
    )


def opened_item(client: TestClient, settings: Settings, **changes: Any) -> tuple[str, str]:
    """A fresh agency with one open item: (agency id, item id)."""
    agency = changes.pop("agency_id", fresh("agency-"))
    found = problem(agency_id=agency, **changes)
    publish(settings, INTAKE, problem_envelope(settings, found))
    wait_for_item(client, found.problem_id)
    return agency, item_id_for(found.problem_id)
