"""The evaluation application run without a broker (``shared.kernel.harness``), and
the steps that take a meeting from scheduling to an open ballot box through its
command handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from services.evaluation.application import ballots, meetings
from services.evaluation.application.app import EvaluationApp
from services.evaluation.bootstrap import DEFINITION
from shared.actors import Actor, Role
from shared.clock import ControlledClock
from shared.events.directory import CampaignRules
from shared.events.evaluation import AgencyRating, BallotContent, RaisedOnBallot, Rating
from shared.kernel.harness import ServiceHarness, harness
from shared.settings import Settings
from shared.topics import DIRECTORY
from tests.evaluation.directory_data import Fixture, directory_events

Harness = ServiceHarness[EvaluationApp]

START = datetime(2017, 2, 10, 9, 0, tzinfo=UTC)
CITY, COUNTY, OTHER_CITY = "360100", "360102", "360200"


def evaluation_harness(settings: Settings) -> tuple[Harness, ControlledClock]:
    clock = ControlledClock(START)
    return harness(DEFINITION, settings, clock), clock


def actor(role: Role, region_code: str = CITY, organisation: str = "") -> Actor:
    organisation = organisation or f"{role.value}-{region_code}"
    return Actor(
        subject=f"{role.value}@{organisation}",
        role=role,
        organisation=organisation,
        region_code=region_code,
    )


def office(region_code: str = CITY) -> Actor:
    return actor(Role.legal_office, region_code, f"office-{region_code}")


async def with_directory(
    h: Harness, strata: dict[str, int] | None = None, rules: CampaignRules | None = None
) -> Fixture:
    """A campaign, agencies and regulated entities of the county, delivered on the
    directory topic as the view follows it."""
    fixture, events = directory_events(
        h.app.settings, strata=strata or {"a": 6, "b": 4}, rules=rules
    )
    await h.deliver(DIRECTORY, events)
    return fixture


def new_meeting(
    fixture: Fixture,
    region_code: str = CITY,
    representatives: int = 4,
    meeting_id: str | None = None,
    held_on: date = date(2017, 2, 10),
) -> meetings.NewMeeting:
    return meetings.NewMeeting(
        region_code=region_code,
        agency_ids=tuple(fixture.agencies),
        held_on=held_on,
        place="南昌市政府会议室",
        representatives=representatives,
        reserve_size=2,
        reason_for_fewer="试点 / a pilot",
        meeting_id=meeting_id,
        campaign_id=fixture.campaign_id,
    )


@dataclass(frozen=True)
class OpenMeeting:
    meeting_id: str
    agency_ids: tuple[str, ...]
    tokens: tuple[str, ...]


async def open_meeting(
    h: Harness,
    fixture: Fixture,
    attendees: int = 3,
    meeting_id: str = "meet-app1",
    held_on: date = date(2017, 2, 10),
) -> OpenMeeting:
    """Scheduled, pool frozen, drawn, ``attendees`` checked in, ballots issued."""
    app, by = h.app, office()
    new = new_meeting(fixture, meeting_id=meeting_id, held_on=held_on)
    await meetings.schedule_meeting(app, by, new)
    await meetings.freeze_pool(app, by, meeting_id)
    drawn = await meetings.draw_representatives(app, by, meeting_id, "福彩 035: 3 8 1", "")
    present = drawn.representatives[:attendees]
    await meetings.record_attendance(app, by, meeting_id, present)
    tokens = await ballots.issue_ballots(app, by, meeting_id)
    return OpenMeeting(meeting_id, tuple(fixture.agencies), tokens)


def ballot(
    agency_ids: tuple[str, ...], rating: Rating = Rating.satisfied, problem: str = ""
) -> BallotContent:
    return BallotContent(
        ratings=tuple(
            AgencyRating(agency_id=a, rating=rating, comment=f" 意见 {a} ") for a in agency_ids
        ),
        comments=" 总体意见 ",
        problems=(RaisedOnBallot(agency_id=agency_ids[0], description=problem),) if problem else (),
    )
