"""What intake reads from the shared directory view: deadlines from the campaign's
rules, the phase a date falls in, and each record's last sequence (so the importer
numbers the next event of a record gaplessly)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.directory import DirectoryView
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import PhaseCode


class IntakeDirectory(DirectoryView):
    def __init__(self) -> None:
        super().__init__()
        self.sequences: dict[str, int] = {}

    def apply(self, envelope: CloudEvent, event: DomainEvent) -> bool:
        applied = super().apply(envelope, event)
        if applied:
            self.sequences[envelope.subject] = envelope.sequence
        return applied

    def phase_code_on(self, campaign_id: str, day: date) -> PhaseCode | None:
        phase = self.phase_on(campaign_id, day)
        return phase.code if phase is not None else None

    def attributed_phase(self, campaign_id: str, day: date) -> PhaseCode:
        """The phase a problem found on ``day`` belongs to: the one containing it; before
        the campaign, mobilisation; between or after phases, the last one begun."""
        phase = self.phase_code_on(campaign_id, day)
        if phase is not None:
            return phase
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return PhaseCode.finding
        begun = [p for p in campaign.phases if p.starts_on <= day]
        if begun:
            return max(begun, key=lambda p: p.starts_on).code
        return PhaseCode.mobilisation

    def triage_due(self, campaign_id: str, at: datetime) -> datetime:
        return at + timedelta(days=self.rules(campaign_id).triage_days)

    def verification_due(self, campaign_id: str, at: datetime) -> datetime:
        return at + timedelta(days=self.rules(campaign_id).verification_days)
