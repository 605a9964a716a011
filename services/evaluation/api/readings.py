"""Recorded readings: the representatives' names and contacts, the ballot comments.
Each is unsealed only after its ``…Read`` event (who, which office, why) is
acknowledged by the broker; a plain view shows pseudonymous ids only."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.evaluation.api.context import (
    EvaluationDep,
    office_meeting,
)
from services.evaluation.api.models import (
    REFUSALS,
    CommentsView,
    ReadRequest,
    RepresentativeView,
)
from services.evaluation.domain.commands import (
    ReadBallotComments,
    ReadRepresentatives,
)
from services.evaluation.domain.meeting import MeetingState
from services.evaluation.domain.tally import legacy_valid
from shared.access_policy import Resource
from shared.auth import CurrentActor
from shared.text import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


def _sheet(ev: EvaluationDep, state: MeetingState, names: bool) -> list[RepresentativeView]:
    replaced = {r.replacement_entity_id: r.declined_entity_id for r in state.replacements}
    attended = set(state.attendance.attendee_entity_ids) if state.attendance else None
    return [
        RepresentativeView(
            position=position,
            entity_id=entity_id,
            name=ev.unseal(entity_id, "name") if names else "",
            contact=ev.unseal(entity_id, "contact") if names else "",
            replaces=replaced.get(entity_id),
            attended=None if attended is None else entity_id in attended,
        )
        for position, entity_id in enumerate(state.representatives, start=1)
    ]


@router.get(
    "/meetings/{meeting_id}/representatives",
    response_model=list[RepresentativeView],
    summary="签到名单（仅编号，不解密）/ Check-in sheet, pseudonymous ids only",
)
async def representatives_ids(
    meeting_id: IdPath, actor: CurrentActor, ev: EvaluationDep
) -> list[RepresentativeView]:
    state = ev.readable_meeting(meeting_id, actor, Resource.representatives_sheet)
    return _sheet(ev, state, names=False)


@router.post(
    "/meetings/{meeting_id}/representatives/read",
    response_model=list[RepresentativeView],
    summary="查阅代表姓名与联系方式（记录查阅人与用途）/ Read names and contacts (recorded)",
)
async def representatives_sheet(
    meeting_id: IdPath, body: ReadRequest, actor: CurrentActor, ev: EvaluationDep
) -> list[RepresentativeView]:
    """Each reading is recorded as ``RepresentativesSheetRead`` before anything is
    unsealed: who, for which office, for what purpose."""
    state = office_meeting(ev, meeting_id, actor)
    command = ReadRepresentatives(
        reader=actor.as_extension(),
        office_id=actor.organisation,
        purpose=body.purpose,
        at=ev.clock.now(),
    )
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    return await asyncio.to_thread(_sheet, ev, state, True)


@router.post(
    "/meetings/{meeting_id}/comments/read",
    response_model=CommentsView,
    summary="查阅选票意见（记录查阅人与用途）/ Read the ballot comments (recorded)",
)
async def read_comments(
    meeting_id: IdPath, body: ReadRequest, actor: CurrentActor, ev: EvaluationDep
) -> CommentsView:
    """Comments are sealed in the published batch; each reading is recorded as
    ``BallotCommentsRead`` first. They come back sorted, not in ballot order."""
    state = office_meeting(ev, meeting_id, actor)
    command = ReadBallotComments(
        reader=actor.as_extension(),
        office_id=actor.organisation,
        purpose=body.purpose,
        at=ev.clock.now(),
    )
    await ev.execute(meeting_id, command, actor.as_extension(), state)
    contents = state.opened.ballots if state.opened is not None else ()
    legacy = tuple(legacy_valid(state.legacy_casts, state.spoiled_hashes))
    per_agency, general = await ev.sealer.comments(meeting_id, (*contents, *legacy))
    return CommentsView(meeting_id=meeting_id, comments=per_agency, general=general)
