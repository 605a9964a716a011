"""Meetings: scheduling, the pool, the draw, replacements, attendance, look-backs.
Legal offices act for their region and below; offices, auditors and administrators
read the meetings of their region and below."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain.access import may_read_meeting, require_office_for
from services.evaluation.domain.commands import (
    CompleteLookBack,
    DrawRepresentatives,
    FreezePool,
    MeetingCommand,
    RecordAttendance,
    ReplaceRepresentative,
    ScheduleMeeting,
)
from services.evaluation.domain.state import LookBack, MeetingState
from shared.access_policy import Resource, may_read_some
from shared.actors import Actor
from shared.errors import Invalid
from shared.events.evaluation import AgencyUnderEvaluation
from shared.ids import prefixed_id
from shared.regions import known_region


@dataclass(frozen=True)
class NewMeeting:
    """A meeting as an office asks for it; ids and the campaign default when empty."""

    region_code: str
    agency_ids: Sequence[str]
    held_on: date
    place: str
    representatives: int
    reserve_size: int | None = None
    reason_for_fewer: str = ""
    meeting_id: str | None = None
    campaign_id: str | None = None


def new_meeting_id() -> str:
    return prefixed_id("meet-", 12)


async def schedule_meeting(app: EvaluationApp, actor: Actor, new: NewMeeting) -> MeetingState:
    region = known_region(new.region_code)
    require_office_for(actor, region)
    campaign_id = new.campaign_id or app.settings.default_campaign_id
    meeting_id = new.meeting_id or new_meeting_id()
    command = ScheduleMeeting(
        meeting_id=meeting_id,
        campaign_id=campaign_id,
        region_code=region,
        office_id=actor.organisation,
        agencies=tuple(_agency(app, agency_id) for agency_id in new.agency_ids),
        held_on=new.held_on,
        place=new.place,
        representatives=new.representatives,
        reserve_size=new.representatives if new.reserve_size is None else new.reserve_size,
        min_representatives=app.directory.rules(campaign_id).min_representatives,
        reason_for_fewer=new.reason_for_fewer,
        at=app.clock.now(),
    )
    await app.execute(meeting_id, command, actor.as_extension(), None)
    return app.meeting(meeting_id)


def _agency(app: EvaluationApp, agency_id: str) -> AgencyUnderEvaluation:
    """The agency as the directory has it; whether it lies in the meeting's region is
    the decider's to say."""
    agency = app.directory.agencies.get(agency_id)
    if agency is None:
        raise Invalid(
            f"未知的执法机关 {agency_id}", f"unknown agency {agency_id}", field="agency_ids"
        )
    return AgencyUnderEvaluation(
        agency_id=agency.agency_id, name=agency.name, region_code=agency.region_code
    )


def list_meetings(app: EvaluationApp, actor: Actor) -> list[MeetingState]:
    """The meetings of the actor's region and below, by id (none for a role that
    reads no meeting)."""
    if not may_read_some(actor, Resource.meeting):
        return []
    states = _readable(app, actor, app.store.meetings_within(actor.region_code))
    return sorted(states, key=lambda s: s.scheduled.meeting_id if s.scheduled else "")


def list_lookbacks(app: EvaluationApp, actor: Actor, open_only: bool = False) -> list[LookBack]:
    """The look-backs of the meetings the actor reads, by id."""
    if not may_read_some(actor, Resource.meeting):
        return []
    meeting_ids = app.store.meetings_with_lookbacks_within(actor.region_code)
    lookbacks = [
        lookback
        for state in _readable(app, actor, meeting_ids)
        for lookback in state.lookbacks.values()
        if not (open_only and lookback.completed is not None)
    ]
    return sorted(lookbacks, key=lambda lb: lb.opened.lookback_id)


def _readable(app: EvaluationApp, actor: Actor, meeting_ids: list[str]) -> list[MeetingState]:
    states = []
    for meeting_id in meeting_ids:
        state = app.stored(meeting_id)
        if state is None or state.scheduled is None:
            continue
        if may_read_meeting(actor, state.scheduled.region_code):
            states.append(state)
    return states


def get_meeting(app: EvaluationApp, actor: Actor, meeting_id: str) -> MeetingState:
    return app.readable_meeting(meeting_id, actor)


async def act(
    app: EvaluationApp,
    actor: Actor,
    meeting_id: str,
    command: Callable[[MeetingState], MeetingCommand],
) -> MeetingState:
    """An office's action on its meeting: ``command`` is made from the meeting as it
    stands; the answer is the meeting as it then stands."""
    state = app.office_meeting(meeting_id, actor)
    await app.execute(meeting_id, command(state), actor.as_extension(), state)
    return app.meeting(meeting_id)


async def freeze_pool(app: EvaluationApp, actor: Actor, meeting_id: str) -> MeetingState:
    """The pool: the regulated entities of the meeting's region, from the directory."""

    def command(state: MeetingState) -> FreezePool:
        assert state.scheduled is not None
        candidates = app.directory.candidates(state.scheduled.region_code)
        return FreezePool(candidates=candidates, at=app.clock.now())

    return await act(app, actor, meeting_id, command)


async def draw_representatives(
    app: EvaluationApp, actor: Actor, meeting_id: str, randomness: str, randomness_source: str
) -> MeetingState:
    command = DrawRepresentatives(
        randomness=randomness, randomness_source=randomness_source, at=app.clock.now()
    )
    return await act(app, actor, meeting_id, lambda _: command)


async def replace_representative(
    app: EvaluationApp, actor: Actor, meeting_id: str, entity_id: str, reason: str
) -> MeetingState:
    command = ReplaceRepresentative(entity_id=entity_id, reason=reason, at=app.clock.now())
    return await act(app, actor, meeting_id, lambda _: command)


async def record_attendance(
    app: EvaluationApp, actor: Actor, meeting_id: str, attendee_entity_ids: tuple[str, ...]
) -> MeetingState:
    command = RecordAttendance(attendee_entity_ids=attendee_entity_ids, at=app.clock.now())
    return await act(app, actor, meeting_id, lambda _: command)


async def complete_lookback(
    app: EvaluationApp, actor: Actor, meeting_id: str, agency_id: str, findings: str
) -> LookBack:
    command = CompleteLookBack(agency_id=agency_id, findings=findings, at=app.clock.now())
    state = await act(app, actor, meeting_id, lambda _: command)
    return state.lookbacks[agency_id]
