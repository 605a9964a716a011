"""Publish the directory events an evaluation test needs (fresh ids each time)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    AgencyRegistered,
    CampaignRecord,
    CampaignRegistered,
    CampaignRules,
    EntityKind,
    Phase,
    PhaseCode,
    RegulatedEntityRecord,
    RegulatedEntityRegistered,
)
from shared.kafka.producer import EventPublisher
from shared.privacy import KeyStore, PersonalDataVault
from shared.settings import Settings
from shared.topics import DIRECTORY
from shared.vocabulary import Power
from tests.reporting.sample_events.directory import agency_record


def envelope(subject: str, event: DomainEvent) -> CloudEvent:
    return event.enveloped(subject, 1, datetime.now(UTC), actor="admin:test:360000")


@dataclass
class Fixture:
    campaign_id: str
    agencies: dict[str, str]  # agency id -> region
    entity_ids: list[str]


def meeting_request(
    meeting_id: str,
    fixture: Fixture,
    agency_ids: list[str],
    *,
    representatives: int,
    reserve_size: int,
    place: str = "南昌市政府第一会议室",
    reason_for_fewer: str | None = None,
) -> dict[str, Any]:
    """The body of ``POST /meetings`` for a meeting of Nanchang (360100) in the
    fixture's campaign, held on 10 February 2017."""
    body: dict[str, Any] = {
        "meeting_id": meeting_id,
        "campaign_id": fixture.campaign_id,
        "region_code": "360100",
        "agency_ids": agency_ids,
        "held_on": "2017-02-10",
        "place": place,
        "representatives": representatives,
        "reserve_size": reserve_size,
    }
    if reason_for_fewer is not None:
        body["reason_for_fewer"] = reason_for_fewer
    return body


def publish_directory(
    settings: Settings,
    *,
    strata: dict[str, int],
    agency_region: str = "360102",
    entity_region: str = "360102",
    rules: CampaignRules | None = None,
) -> Fixture:
    """A campaign, one agency per stratum and ``strata[name]`` entities each."""
    fixture, events = directory_events(
        settings,
        strata=strata,
        agency_region=agency_region,
        entity_region=entity_region,
        rules=rules,
    )
    publisher = EventPublisher(settings)
    try:
        publisher.publish(DIRECTORY, events)
    finally:
        publisher.close()
    return fixture


def directory_events(
    settings: Settings,
    *,
    strata: dict[str, int],
    agency_region: str = "360102",
    entity_region: str = "360102",
    rules: CampaignRules | None = None,
) -> tuple[Fixture, list[CloudEvent]]:
    """``publish_directory``'s events, not published: names and contacts sealed in the
    key store of ``settings``."""
    run = uuid.uuid4().hex[:8]
    campaign_id = f"jx-eval-{run}"
    vault = PersonalDataVault(KeyStore(settings.resolved_keystore_url))
    events: list[CloudEvent] = []
    campaign = CampaignRecord(
        campaign_id=campaign_id,
        name="测试专项治理",
        region_code="360000",
        phases=(
            Phase(
                number=4,
                code=PhaseCode.evaluation,
                name_zh="群众评议",
                starts_on=date(2017, 2, 1),
                ends_on=date(2017, 2, 28),
            ),
        ),
        rules=rules or CampaignRules(),
    )
    events.append(envelope(campaign_id, CampaignRegistered(campaign=campaign)))
    agencies: dict[str, str] = {}
    entity_ids: list[str] = []
    for name, count in strata.items():
        agency_id = f"ag-{name}-{run}"
        agencies[agency_id] = agency_region
        events.append(
            envelope(
                agency_id,
                AgencyRegistered(
                    agency=agency_record(
                        agency_id, agency_region, f"{name} 执法局", powers=(Power.penalty,)
                    )
                ),
            )
        )
        for i in range(count):
            entity_id = f"ent-{name}-{run}-{i:03d}"
            entity_ids.append(entity_id)
            events.append(
                envelope(
                    entity_id,
                    RegulatedEntityRegistered(
                        entity=RegulatedEntityRecord(
                            entity_id=entity_id,
                            kind=EntityKind.firm,
                            region_code=entity_region,
                            agency_ids=(agency_id,),
                            sealed_name=vault.encrypt(entity_id, f"{name}商户{i}"),
                            sealed_contact=vault.encrypt(entity_id, f"1390000{i:04d}"),
                        )
                    ),
                )
            )
    return Fixture(campaign_id=campaign_id, agencies=agencies, entity_ids=entity_ids), events
