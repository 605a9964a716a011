"""Opening terms come from the campaign's data, or the 2016 plan while it is unknown."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.rectification.directory import DEFAULT_TERMS, rectification_terms
from shared.directory import DirectoryView
from shared.envelope import CloudEvent
from shared.events.directory import CampaignRegistered, CampaignRules
from tests.rectification.factories import campaign


def registered(record_id: str, rules: CampaignRules) -> tuple[CloudEvent, CampaignRegistered]:
    event = CampaignRegistered(
        campaign=campaign(record_id, rules, date(2017, 9, 1), date(2018, 1, 31))
    )
    envelope = CloudEvent(
        id="e1",
        source="/directory",
        type=event.type_string(),
        subject=record_id,
        time=datetime(2017, 6, 1, tzinfo=UTC),
        dataschema=event.schema_id(),
        data=event.model_dump(mode="json"),
        sequence=1,
        partitionkey=record_id,
    )
    return envelope, event


def test_an_unknown_campaign_gets_the_2016_plan() -> None:
    terms = rectification_terms(DirectoryView(), "nobody")
    assert terms == DEFAULT_TERMS and not terms.known
    assert (terms.starts_on, terms.ends_on) == (date(2016, 9, 1), date(2017, 1, 31))


def test_a_known_campaign_gives_its_rules_and_rectification_phase() -> None:
    view = DirectoryView()
    rules = CampaignRules(rectification_days_high=5)
    view.apply(*registered("jx-2017", rules))
    terms = rectification_terms(view, "jx-2017")
    assert terms.known and terms.rules == rules
    assert (terms.starts_on, terms.ends_on) == (date(2017, 9, 1), date(2018, 1, 31))
