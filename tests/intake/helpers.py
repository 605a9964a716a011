"""Test helpers: publish a fresh campaign and agencies, read topics back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from shared.codec import decode
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    AgencyRecord,
    AgencyRegistered,
    CampaignRecord,
    CampaignRegistered,
    Phase,
    PhaseCode,
)
from shared.ids import new_event_id
from shared.kafka.producer import EventPublisher
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import DIRECTORY
from shared.vocabulary import AdminLevel, Power, Sector

# Contact details the API tests submit; the privacy scan looks for them on every topic.
TIPSTER_NAME = "测试举报人戊己庚"
TIPSTER_MOBILE = "13987654321"
TIPSTER_LANDLINE = "0791-86661234"
TIPSTER_EMAIL = "tipster-intake-test@example.cn"
ERASED_EMAIL = "erase-me-intake-test@example.cn"
CONTACT_STRINGS = (TIPSTER_NAME, TIPSTER_MOBILE, TIPSTER_LANDLINE, TIPSTER_EMAIL, ERASED_EMAIL)

# 2016-07-20 is in the "finding problems" phase of the seed plan.
START = datetime(2016, 7, 20, 2, 0, tzinfo=UTC)
PHASES = (
    (PhaseCode.mobilisation, "动员部署", date(2016, 6, 6), date(2016, 7, 15)),
    (PhaseCode.finding, "查找问题", date(2016, 7, 16), date(2016, 8, 31)),
    (PhaseCode.rectification, "整改落实", date(2016, 9, 1), date(2017, 1, 31)),
    (PhaseCode.evaluation, "群众评议", date(2017, 2, 1), date(2017, 2, 28)),
    (PhaseCode.summary, "总结提高", date(2017, 3, 1), date(2017, 3, 31)),
)


@dataclass(frozen=True)
class World:
    campaign_id: str
    agency_id: str  # a county agency in 东湖区 360102
    city_agency_id: str  # a city agency in 南昌市 360100


def tip_body(world: World, **overrides: Any) -> dict[str, Any]:
    """A tip as the public posts it, about the world's county agency."""
    body: dict[str, Any] = {
        "channel": "hotline",
        "region_code": "360102",
        "agency_id": world.agency_id,
        "power": "penalty",
        "description": "城管执法人员罚款后不开具票据",
        "occurred_on": "2016-07-10",
        "campaign_id": world.campaign_id,
    }
    body.update(overrides)
    return body


def envelope(
    subject: str, event: DomainEvent, sequence: int = 1, source: str = "/test"
) -> CloudEvent:
    return CloudEvent(
        id=new_event_id(),
        source=source,
        type=event.type_string(),
        subject=subject,
        time=datetime.now(UTC),
        dataschema=event.schema_id(),
        data=event.model_dump(mode="json"),
        sequence=sequence,
        partitionkey=subject,
    )


def publish(settings: Settings, topic: str, envelopes: list[CloudEvent]) -> None:
    publisher = EventPublisher(settings)
    try:
        publisher.publish(topic, envelopes)
    finally:
        publisher.close()


def world_envelopes(suffix: str | None = None) -> tuple[World, list[CloudEvent]]:
    """A fresh campaign and two agencies, as the directory would publish them."""
    suffix = suffix or uuid.uuid4().hex[:8]
    campaign = CampaignRecord(
        campaign_id=f"test-campaign-{suffix}",
        name="测试专项治理",
        region_code="360000",
        phases=tuple(
            Phase(number=i, code=code, name_zh=zh, starts_on=s, ends_on=e)
            for i, (code, zh, s, e) in enumerate(PHASES, start=1)
        ),
    )
    county = AgencyRecord(
        agency_id=f"ag-test-{suffix}-360102",
        name="东湖区城市管理行政执法局（测试）",
        region_code="360102",
        level=AdminLevel.county,
        sector=Sector.urban_management,
        powers=(Power.penalty, Power.coercion),
    )
    city = county.model_copy(
        update={
            "agency_id": f"ag-test-{suffix}-360100",
            "name": "南昌市市场和质量监督管理局（测试）",
            "region_code": "360100",
            "level": AdminLevel.city,
            "sector": Sector.market_supervision,
        }
    )
    envelopes = [
        envelope(campaign.campaign_id, CampaignRegistered(campaign=campaign)),
        envelope(county.agency_id, AgencyRegistered(agency=county)),
        envelope(city.agency_id, AgencyRegistered(agency=city)),
    ]
    return World(campaign.campaign_id, county.agency_id, city.agency_id), envelopes


def publish_world(settings: Settings) -> World:
    world, envelopes = world_envelopes()
    publish(settings, DIRECTORY, envelopes)
    return world


def read_topic(settings: Settings, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """Every record of ``topic`` from offset 0 to its current end: (key, value)."""
    consumer = KafkaConsumer(
        **client_options(settings),
        group_id=None,
        enable_auto_commit=False,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assignment:
            return []
        consumer.assign(assignment)
        consumer.seek_to_beginning(*assignment)
        end = consumer.end_offsets(assignment)
        records: list[tuple[bytes | None, bytes | None]] = []
        pending = {tp for tp in assignment if end[tp] > 0}
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records.extend((r.key, r.value) for r in batch if r.offset < end[tp])
                if consumer.position(tp) >= end[tp]:
                    pending.discard(tp)
        return records
    finally:
        consumer.close()


def events_of(settings: Settings, topic: str, subject: str) -> list[CloudEvent]:
    found = []
    for key, value in read_topic(settings, topic):
        if key == subject.encode():
            found.append(decode(key, value))
    return found


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the deadline")
        time.sleep(interval)


def later(days: float) -> timedelta:
    return timedelta(days=days)
