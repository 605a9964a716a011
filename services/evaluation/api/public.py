"""What the public reads of evaluation: the meetings whose results are published, with
those results. No token is needed, and nothing here is more than publication shows."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from services.evaluation.api.deps import AppDep
from services.evaluation.api.models import REFUSALS, ResponseView, TallyView, tally_view
from services.evaluation.application import public
from shared.events.evaluation import AgencyUnderEvaluation
from shared.params import Limit, Offset

router = APIRouter(tags=["public 公开"], responses=REFUSALS)


class PublishedMeeting(ResponseView):
    meeting_id: str
    region_code: str
    held_on: date
    place: str
    agencies: list[AgencyUnderEvaluation]
    results: TallyView


class PublishedMeetingPage(BaseModel):
    total: int
    offset: int
    limit: int
    meetings: list[PublishedMeeting]


@router.get(
    "/results",
    response_model=PublishedMeetingPage,
    summary="已公布评议结果的评议会（公开，最新在前）/ Meetings with published results (public)",
)
async def published_meetings(
    app: AppDep, offset: Offset = 0, limit: Limit = 50
) -> PublishedMeetingPage:
    total, page = public.published_meetings(app, offset, limit)
    meetings = []
    for state in page:
        scheduled, results = state.scheduled, tally_view(state, public=True)
        assert scheduled is not None and results is not None
        meetings.append(PublishedMeeting.shown(scheduled, results=results))
    return PublishedMeetingPage(total=total, offset=offset, limit=limit, meetings=meetings)
