"""Whole stories: every event type of the platform for one agency."""

from __future__ import annotations

from shared.events import directory as d
from shared.vocabulary import Power
from tests.reporting.sample_events.directory import (
    agency_record,
    campaign_record,
    entity_story,
    register_agency,
    register_campaign,
)
from tests.reporting.sample_events.evaluation import meeting_story
from tests.reporting.sample_events.intake import (
    other_tips_story,
    self_inspection_story,
    tip_story,
)
from tests.reporting.sample_events.log import CAMPAIGN, EventLog
from tests.reporting.sample_events.rectification import (
    case_story,
    extended_item_story,
    regulation_story,
    returned_item_story,
)


def full_story(log: EventLog, key: str, agency: str, region: str) -> None:
    """Every event type at least once, for one agency in one region."""
    at = log.now
    problem = tip_story(log, key, agency, region)
    other_tips_story(log, key, agency, region, at)
    si_problem = self_inspection_story(log, key, agency, region)
    returned_item_story(log, problem, agency, region)
    extended_item_story(log, si_problem, agency, region)
    case_story(log, key, problem, agency, region)
    regulation_story(log, key, problem, agency, region)
    meeting_story(log, key, agency, region)


def complete_history(key: str, agency: str = "", region: str = "360102") -> EventLog:
    """Directory data plus :func:`full_story` for one agency: every event type."""
    log = EventLog()
    agency = agency or f"ag-{key}"
    register_campaign(log)
    log.add(CAMPAIGN, d.CampaignChanged(campaign=campaign_record()), region="360000")
    register_agency(log, agency, region)
    changed = agency_record(agency, region, powers=(Power.penalty,))
    log.add(agency, d.AgencyChanged(agency=changed), region=region)
    entity_story(log, key, agency, region)
    full_story(log, key, agency, region)
    return log
