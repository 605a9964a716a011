from datetime import UTC, date, datetime

from shared.directory import DirectoryView
from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.directory import (
    CampaignChanged,
    CampaignRecord,
    CampaignRegistered,
    CampaignRules,
    Phase,
    PhaseCode,
)


def campaign(triage_days: int) -> CampaignRecord:
    return CampaignRecord(
        campaign_id="jx-2016",
        name="江西省行政执法不公专项治理",
        region_code="360000",
        phases=(
            Phase(
                number=3,
                code=PhaseCode.rectification,
                name_zh="整改落实",
                starts_on=date(2016, 9, 1),
                ends_on=date(2017, 1, 31),
            ),
        ),
        rules=CampaignRules(triage_days=triage_days),
    )


def envelope(event: DomainEvent, sequence: int) -> CloudEvent:
    return event.enveloped("jx-2016", sequence, datetime(2016, 6, 1, tzinfo=UTC))


def test_latest_record_wins_and_redelivery_changes_nothing() -> None:
    view = DirectoryView()
    registered = CampaignRegistered(campaign=campaign(3))
    changed = CampaignChanged(campaign=campaign(5))
    assert view.rules("jx-2016") == CampaignRules()
    assert view.apply(envelope(registered, 1), registered)
    assert view.apply(envelope(changed, 2), changed)
    assert not view.apply(envelope(registered, 1), registered)  # redelivered, older
    assert view.rules("jx-2016").triage_days == 5


def test_phases_are_found_by_code_and_by_day() -> None:
    view = DirectoryView()
    registered = CampaignRegistered(campaign=campaign(3))
    view.apply(envelope(registered, 1), registered)
    rectification = view.phase("jx-2016", PhaseCode.rectification)
    assert rectification is not None and rectification.ends_on == date(2017, 1, 31)
    assert view.phase_on("jx-2016", date(2016, 12, 1)) == rectification
    assert view.phase_on("jx-2016", date(2017, 3, 1)) is None
    assert view.phase("other", PhaseCode.rectification) is None
