"""Recorded readings: the representatives' names and contacts, the ballot comments;
each is unsealed only once its reading is recorded."""

from __future__ import annotations

from fastapi import APIRouter

from services.evaluation.api.deps import AppDep
from services.evaluation.api.models import (
    REFUSALS,
    CommentsView,
    ReadRequest,
    RepresentativeView,
)
from services.evaluation.application import readings
from shared.auth import CurrentActor
from shared.params import IdPath

router = APIRouter(tags=["meetings 评议会"], responses=REFUSALS)


def _views(sheet: list[readings.SheetLine]) -> list[RepresentativeView]:
    return [RepresentativeView(**dict(line)) for line in sheet]


@router.get(
    "/meetings/{meeting_id}/representatives",
    response_model=list[RepresentativeView],
    summary="签到名单（仅编号，不解密）/ Check-in sheet, pseudonymous ids only",
)
async def representatives_ids(
    meeting_id: IdPath, actor: CurrentActor, app: AppDep
) -> list[RepresentativeView]:
    return _views(readings.representatives(app, actor, meeting_id))


@router.post(
    "/meetings/{meeting_id}/representatives/read",
    response_model=list[RepresentativeView],
    summary="查阅代表姓名与联系方式（记录查阅人与用途）/ Read names and contacts (recorded)",
)
async def representatives_sheet(
    meeting_id: IdPath, body: ReadRequest, actor: CurrentActor, app: AppDep
) -> list[RepresentativeView]:
    """Each reading is recorded as ``RepresentativesSheetRead`` before anything is
    unsealed: who, for which office, for what purpose."""
    return _views(await readings.read_representatives(app, actor, meeting_id, body.purpose))


@router.post(
    "/meetings/{meeting_id}/comments/read",
    response_model=CommentsView,
    summary="查阅选票意见（记录查阅人与用途）/ Read the ballot comments (recorded)",
)
async def read_comments(
    meeting_id: IdPath, body: ReadRequest, actor: CurrentActor, app: AppDep
) -> CommentsView:
    """Comments are sealed in the published batch; each reading is recorded as
    ``BallotCommentsRead`` first. They come back sorted, not in ballot order."""
    comments = await readings.read_comments(app, actor, meeting_id, body.purpose)
    return CommentsView(
        meeting_id=meeting_id, comments=comments.per_agency, general=comments.general
    )
