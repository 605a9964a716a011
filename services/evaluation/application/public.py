"""What the public reads of evaluation: the meetings whose results are published, with
those results. Nothing here is more than publication shows."""

from __future__ import annotations

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain.state import MeetingState
from shared.errors import Conflict
from shared.paging import window


def published_meetings(
    app: EvaluationApp, offset: int, limit: int
) -> tuple[int, list[MeetingState]]:
    """How many meetings have published results, and one page of them, the latest
    held first. Only published meetings are read, through their index."""
    published = (
        state
        for state in map(app.stored, app.store.published_meetings())
        if state is not None and state.scheduled is not None and state.published is not None
    )

    def latest_first(state: MeetingState) -> tuple[int, str]:
        assert state.scheduled is not None
        return -state.scheduled.held_on.toordinal(), state.scheduled.meeting_id

    return window(published, key=latest_first, offset=offset, limit=limit)


def published_results(app: EvaluationApp, meeting_id: str) -> MeetingState:
    """A meeting whose results are published (409 before that)."""
    state = app.meeting(meeting_id)
    if state.published is None or state.tallied is None:
        raise Conflict(
            "评议结果尚未公布",
            "the results are not published yet",
            field="status",
            code="not_published",
        )
    return state
