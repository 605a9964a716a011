"""The close (box opened, batch published, box key shredded), the tally re-verified
from the events, and publication."""

from __future__ import annotations

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain.audit import TallyCheck, check_recorded_tally
from services.evaluation.domain.commands import CloseMeeting, PublishResults
from services.evaluation.domain.state import MeetingState
from services.evaluation.sealing import new_shuffle_seed
from shared.actors import Actor


async def close_meeting(app: EvaluationApp, actor: Actor, meeting_id: str) -> MeetingState:
    """Opens the box (its key unseals every record), publishes the valid contents as
    one shuffled batch with the tally, then shreds the box key: from then on the
    per-cast records can never be read, nor linked to the spent tokens."""
    state = app.office_meeting(meeting_id, actor)
    assert state.scheduled is not None
    rules = app.directory.rules(state.scheduled.campaign_id)
    opened = await app.sealer.open(meeting_id, state.box) if state.box else ()
    command = CloseMeeting(
        lookback_dissatisfaction_rate=rules.lookback_dissatisfaction_rate,
        lookback_problems_raised=rules.lookback_problems_raised,
        min_valid_ballots=rules.min_valid_ballots,
        opened_box=opened,
        shuffle_seed=new_shuffle_seed(),
        at=app.clock.now(),
    )
    await app.execute(meeting_id, command, actor.as_extension(), state)
    await app.sealer.shred_box(meeting_id)
    return app.meeting(meeting_id)


def verify_tally(
    app: EvaluationApp, actor: Actor, meeting_id: str
) -> tuple[MeetingState, TallyCheck]:
    """The meeting and its tally recomputed from its events, for a reader of it."""
    state = app.readable_meeting(meeting_id, actor)
    return state, check_recorded_tally(state)


async def publish_results(app: EvaluationApp, actor: Actor, meeting_id: str) -> MeetingState:
    state = app.office_meeting(meeting_id, actor)
    await app.execute(meeting_id, PublishResults(at=app.clock.now()), actor.as_extension(), state)
    # Again, in case the service stopped between the close and its shredding.
    await app.sealer.shred_box(meeting_id)
    return app.meeting(meeting_id)
