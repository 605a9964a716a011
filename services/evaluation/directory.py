"""What the evaluation service knows of ``directory.events``: campaigns (their
thresholds), agencies and regulated entities. Fed twice (a replay at start, then
the live subscription, which may redeliver), so each subject remembers the highest
sequence applied and anything not newer changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    AgencyChanged,
    AgencyRecord,
    AgencyRegistered,
    CampaignChanged,
    CampaignRecord,
    CampaignRegistered,
    CampaignRules,
    RegulatedEntityChanged,
    RegulatedEntityRecord,
    RegulatedEntityRegistered,
)
from shared.events.evaluation import PoolEntry
from shared.regions import jiangxi


@dataclass
class Directory:
    campaigns: dict[str, CampaignRecord] = field(default_factory=dict)
    agencies: dict[str, AgencyRecord] = field(default_factory=dict)
    entities: dict[str, RegulatedEntityRecord] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        if envelope.sequence <= self.sequences.get(envelope.subject, 0):
            return False
        match event:
            case CampaignRegistered() | CampaignChanged():
                self.campaigns[event.campaign.campaign_id] = event.campaign
            case AgencyRegistered() | AgencyChanged():
                self.agencies[event.agency.agency_id] = event.agency
            case RegulatedEntityRegistered() | RegulatedEntityChanged():
                self.entities[event.entity.entity_id] = event.entity
            case _:
                return False
        self.sequences[envelope.subject] = envelope.sequence
        return True

    def rules(self, campaign_id: str) -> CampaignRules:
        campaign = self.campaigns.get(campaign_id)
        return campaign.rules if campaign is not None else CampaignRules()

    def candidates(self, region_code: str) -> tuple[PoolEntry, ...]:
        """Regulated entities located in ``region_code`` or below, with their agencies."""
        regions = jiangxi()
        return tuple(
            PoolEntry(entity_id=e.entity_id, agency_ids=e.agency_ids)
            for e in sorted(self.entities.values(), key=lambda e: e.entity_id)
            if e.region_code in regions and regions.is_within(e.region_code, region_code)
        )
