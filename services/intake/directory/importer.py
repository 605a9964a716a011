"""Import campaigns, agencies and regulated entities from CSV into ``directory.events``.

Idempotent: the current directory is rebuilt by replaying the topic, and only new
records (``…Registered``) or changed ones (``…Changed``) are published. Every row
of every file is validated first; if any row is malformed, nothing is published."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from shared.clock import Clock, SystemClock
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    AgencyChanged,
    AgencyRecord,
    AgencyRegistered,
    CampaignChanged,
    CampaignRecord,
    CampaignRegistered,
    RegulatedEntityChanged,
    RegulatedEntityRecord,
    RegulatedEntityRegistered,
)
from shared.ids import new_event_id
from shared.kafka.producer import EventPublisher
from shared.kafka.replay import replay_topic
from shared.privacy import ERASED, KeyStore, PersonalDataVault
from shared.settings import Settings
from shared.topics import DIRECTORY

from .csv_rows import EntityRow, read_agencies, read_campaigns, read_entities
from .view import IntakeDirectory

SOURCE = "/directory"
ACTOR = "admin:directory-import:360000"


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_directory(settings: Settings) -> IntakeDirectory:
    view = IntakeDirectory()
    replay_topic(settings, DIRECTORY, view.apply)
    return view


@dataclass
class _Plan:
    view: IntakeDirectory
    events: list[tuple[str, str, str, DomainEvent]] = field(default_factory=list)
    unchanged: int = 0

    def add(self, subject: str, campaign_id: str, region: str, event: DomainEvent) -> None:
        self.events.append((subject, campaign_id, region, event))


Record = TypeVar("Record", CampaignRecord, AgencyRecord)


def _plan_records(
    plan: _Plan,
    records: list[Record],
    known: Mapping[str, Record],
    ids: Callable[[Record], tuple[str, str]],
    event: Callable[[Record, bool], DomainEvent],
) -> None:
    """Plan ``event(record, new)`` for each record new to the directory or changed in
    it, under its ``ids`` (subject, campaign); count the others unchanged."""
    for record in records:
        subject, campaign_id = ids(record)
        current = known.get(subject)
        if current == record:
            plan.unchanged += 1
            continue
        plan.add(subject, campaign_id, record.region_code, event(record, current is None))


def _plan_entities(
    plan: _Plan,
    rows: list[EntityRow],
    vault: PersonalDataVault,
    campaign_id: str,
    report: ImportReport,
) -> None:
    for row in rows:
        current = plan.view.entities.get(row.entity_id)
        if current is not None:
            name = vault.decrypt(row.entity_id, current.sealed_name)
            if name == ERASED:
                report.notes.append(f"{row.entity_id}: erased (crypto-shredded); not re-imported")
                continue
            contact = (
                vault.decrypt(row.entity_id, current.sealed_contact)
                if current.sealed_contact
                else ""
            )
            same = (
                current.kind is row.kind
                and current.region_code == row.region_code
                and current.agency_ids == row.agency_ids
                and name == row.name
                and contact == row.contact
            )
            if same:
                plan.unchanged += 1
                continue
        record = RegulatedEntityRecord(
            entity_id=row.entity_id,
            kind=row.kind,
            region_code=row.region_code,
            agency_ids=row.agency_ids,
            sealed_name=vault.encrypt(row.entity_id, row.name),
            sealed_contact=vault.encrypt(row.entity_id, row.contact) if row.contact else "",
        )
        event: DomainEvent = (
            RegulatedEntityRegistered(entity=record)
            if current is None
            else RegulatedEntityChanged(entity=record)
        )
        plan.add(row.entity_id, campaign_id, row.region_code, event)


def run_import(
    settings: Settings,
    *,
    campaigns: Path | None = None,
    agencies: Path | None = None,
    entities: Path | None = None,
    clock: Clock | None = None,
) -> ImportReport:
    """Validate every file, then publish what is new or changed (or nothing at all)."""
    clock = clock or SystemClock()
    report = ImportReport()
    view = load_directory(settings)
    parsed_campaigns = read_campaigns(campaigns) if campaigns else None
    parsed_agencies = read_agencies(agencies) if agencies else None
    known_agencies = set(view.agencies) | {
        a.agency_id for a in (parsed_agencies.records if parsed_agencies else [])
    }
    parsed_entities = read_entities(entities, known_agencies) if entities else None
    for parsed in (parsed_campaigns, parsed_agencies, parsed_entities):
        if parsed is not None:
            report.errors.extend(parsed.errors)
    if report.errors:
        return report

    plan = _Plan(view)
    default_campaign = settings.default_campaign_id
    if parsed_campaigns:
        _plan_records(
            plan,
            parsed_campaigns.records,
            view.campaigns,
            lambda c: (c.campaign_id, c.campaign_id),
            lambda c, new: (CampaignRegistered if new else CampaignChanged)(campaign=c),
        )
    if parsed_agencies:
        _plan_records(
            plan,
            parsed_agencies.records,
            view.agencies,
            lambda a: (a.agency_id, default_campaign),
            lambda a, new: (AgencyRegistered if new else AgencyChanged)(agency=a),
        )
    if parsed_entities:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        vault = PersonalDataVault(KeyStore(settings.resolved_keystore_url, clock))
        _plan_entities(plan, parsed_entities.records, vault, default_campaign, report)
    report.unchanged = plan.unchanged
    if not plan.events:
        return report

    envelopes = []
    sequences = dict(view.sequences)
    for subject, campaign_id, region, event in plan.events:
        sequences[subject] = sequences.get(subject, 0) + 1
        envelopes.append(
            CloudEvent(
                id=new_event_id(),
                source=SOURCE,
                type=event.type_string(),
                subject=subject,
                time=clock.now(),
                dataschema=event.schema_id(),
                data=event.model_dump(mode="json"),
                sequence=sequences[subject],
                partitionkey=subject,
                campaignid=campaign_id,
                regioncode=region,
                actor=ACTOR,
            )
        )
        report.published.append(f"{type(event).__name__} {subject}")
    publisher = EventPublisher(settings)
    try:
        publisher.publish(DIRECTORY, envelopes)
    finally:
        publisher.close()
    return report
