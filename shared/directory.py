"""Campaigns, agencies and regulated entities as they stand on ``directory.events``.

Every service that needs reference data folds it here. It is fed twice (a full
replay at start, then a live subscription), so ``apply`` keeps each record's
sequence and ignores anything it has already seen or that is older."""

from __future__ import annotations

from datetime import date

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
    Phase,
    PhaseCode,
    RegulatedEntityChanged,
    RegulatedEntityRecord,
    RegulatedEntityRegistered,
)


class DirectoryView:
    def __init__(self) -> None:
        self.campaigns: dict[str, CampaignRecord] = {}
        self.agencies: dict[str, AgencyRecord] = {}
        self.entities: dict[str, RegulatedEntityRecord] = {}
        self._sequences: dict[str, int] = {}

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        """Fold one directory event; return whether it changed anything."""
        if envelope.sequence <= self._sequences.get(envelope.subject, 0):
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
        self._sequences[envelope.subject] = envelope.sequence
        return True

    def rules(self, campaign_id: str) -> CampaignRules:
        """The campaign's deadlines and thresholds (defaults while it is unknown)."""
        campaign = self.campaigns.get(campaign_id)
        return campaign.rules if campaign is not None else CampaignRules()

    def phase(self, campaign_id: str, code: PhaseCode) -> Phase | None:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return None
        return next((p for p in campaign.phases if p.code is code), None)

    def phase_on(self, campaign_id: str, day: date) -> Phase | None:
        """The phase whose dates contain ``day``, or None outside the campaign."""
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return None
        return next((p for p in campaign.phases if p.starts_on <= day <= p.ends_on), None)
