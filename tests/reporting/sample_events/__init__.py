"""A complete, consistent story of one agency's campaign as envelopes: every event
type of the platform at least once. The tests and the benchmarks use it."""

from tests.reporting.sample_events.directory import (
    campaign_record,
    entity_story,
    register_agency,
    register_campaign,
)
from tests.reporting.sample_events.evaluation import meeting_story
from tests.reporting.sample_events.intake import (
    found_problem,
    other_tips_story,
    self_inspection_story,
    tip_story,
)
from tests.reporting.sample_events.log import CAMPAIGN, SEALED, START, EventLog, topic_of
from tests.reporting.sample_events.rectification import (
    case_story,
    extended_item_story,
    item_story,
    regulation_story,
    returned_item_story,
)
from tests.reporting.sample_events.stories import complete_history, full_story

__all__ = [
    "CAMPAIGN",
    "SEALED",
    "START",
    "EventLog",
    "campaign_record",
    "case_story",
    "complete_history",
    "entity_story",
    "extended_item_story",
    "found_problem",
    "full_story",
    "item_story",
    "meeting_story",
    "other_tips_story",
    "register_agency",
    "register_campaign",
    "regulation_story",
    "returned_item_story",
    "self_inspection_story",
    "tip_story",
    "topic_of",
]
