"""What opening an item needs from its campaign, read from the shared directory view
(``shared.directory.DirectoryView``, replayed at start and kept current by a
subscription to ``directory.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.rectification.domain.calendar import (
    DEFAULT_RECTIFICATION_ENDS_ON,
    DEFAULT_RECTIFICATION_STARTS_ON,
)
from shared.directory import DirectoryView
from shared.events.directory import CampaignRules, PhaseCode


@dataclass(frozen=True)
class RectificationTerms:
    rules: CampaignRules
    starts_on: date
    ends_on: date
    known: bool


DEFAULT_TERMS = RectificationTerms(
    rules=CampaignRules(),
    starts_on=DEFAULT_RECTIFICATION_STARTS_ON,
    ends_on=DEFAULT_RECTIFICATION_ENDS_ON,
    known=False,
)


def rectification_terms(directory: DirectoryView, campaign_id: str) -> RectificationTerms:
    """The campaign's rules and rectification phase; the 2016 plan's while it is unknown."""
    if campaign_id not in directory.campaigns:
        return DEFAULT_TERMS
    phase = directory.phase(campaign_id, PhaseCode.rectification)
    return RectificationTerms(
        rules=directory.rules(campaign_id),
        starts_on=phase.starts_on if phase else DEFAULT_TERMS.starts_on,
        ends_on=phase.ends_on if phase else DEFAULT_TERMS.ends_on,
        known=True,
    )
