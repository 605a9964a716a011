"""Opening terms come from the campaign's data, or the 2016 plan while it is unknown."""

from __future__ import annotations

from datetime import date

from services.rectification.directory import DEFAULT_TERMS, rectification_terms
from shared.directory import DirectoryView
from shared.events.directory import CampaignRules
from tests.rectification.factories import campaign
from tests.rectification.harnessed import Harness, register_campaign


def test_an_unknown_campaign_gets_the_2016_plan() -> None:
    terms = rectification_terms(DirectoryView(), "nobody")
    assert terms == DEFAULT_TERMS and not terms.known
    assert (terms.starts_on, terms.ends_on) == (date(2016, 9, 1), date(2017, 1, 31))


async def test_a_known_campaign_gives_its_rules_and_rectification_phase(h: Harness) -> None:
    rules = CampaignRules(rectification_days_high=5)
    await register_campaign(h, campaign("jx-2017", rules, date(2017, 9, 1), date(2018, 1, 31)))
    terms = rectification_terms(h.app.directory, "jx-2017")
    assert terms.known and terms.rules == rules
    assert (terms.starts_on, terms.ends_on) == (date(2017, 9, 1), date(2018, 1, 31))
