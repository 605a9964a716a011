"""Request and response bodies of the evaluation API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from services.evaluation.application.readings import SheetLine
from services.evaluation.domain.closing import publishable
from services.evaluation.domain.draw import DrawResult, PoolDocument, Verification
from services.evaluation.domain.meeting import STATUS_ZH, LookBack, MeetingState, MeetingStatus
from shared.events.evaluation import (
    AgencyResult,
    AgencyUnderEvaluation,
    Rating,
)
from shared.text import Line, Text

RATING_ZH: dict[Rating, str] = {
    Rating.satisfied: "满意",
    Rating.basically_satisfied: "基本满意",
    Rating.dissatisfied: "不满意",
}


class RefusalDetail(BaseModel):
    code: str
    field: str | None
    message: str
    message_zh: str
    message_en: str


class RefusalBody(BaseModel):
    detail: RefusalDetail


REFUSALS: dict[int | str, dict[str, object]] = {
    status: {"model": RefusalBody, "description": text}
    for status, text in {
        401: "未登录或令牌无效 / missing or invalid bearer token",
        403: "角色、辖区或选票令牌不允许 / role, region or ballot token not allowed",
        404: "不存在 / not found",
        409: "当前状态不允许 / the meeting's state does not allow it",
        422: "输入无效（指明字段）/ invalid input (the field is named)",
    }.items()
}


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScheduleRequest(_Request):
    meeting_id: Line | None = Field(
        default=None, pattern=r"^meet-[A-Za-z0-9_-]{1,60}$", description="default: generated"
    )
    campaign_id: Line | None = Field(default=None, min_length=1, max_length=100)
    region_code: Line = Field(pattern=r"^36\d{4}$", description="GB/T 2260 code of the meeting")
    agency_ids: list[Line] = Field(min_length=1, max_length=50)
    held_on: date
    place: Line = Field(min_length=1, max_length=200)
    representatives: int = Field(ge=1, le=1000)
    reserve_size: int | None = Field(
        default=None, ge=0, le=1000, description="default: as many as representatives"
    )
    reason_for_fewer: Text = Field(default="", max_length=1000)


class DrawRequest(_Request):
    randomness: Line = Field(
        min_length=1,
        max_length=500,
        description="public randomness announced after the pool was frozen",
    )
    randomness_source: Line = Field(default="", max_length=500)


class ReplaceRequest(_Request):
    entity_id: Line = Field(min_length=1, max_length=100)
    reason: Text = Field(default="", max_length=500)


class AttendanceRequest(_Request):
    attendee_entity_ids: list[Line] = Field(min_length=1, max_length=1000)


class SlipsRequest(_Request):
    tokens: list[Line] = Field(min_length=1, max_length=1000)


class RatingInput(_Request):
    agency_id: Line = Field(min_length=1, max_length=100)
    rating: Rating
    comment: Text = Field(default="", max_length=2000)


class ProblemInput(_Request):
    agency_id: Line = Field(min_length=1, max_length=100)
    description: Text = Field(min_length=1, max_length=4000)


TOKEN = Field(
    min_length=1,
    max_length=200,
    description="the one-time ballot token; sent in the body, never in a URL",
)


class TokenRequest(_Request):
    token: Line = TOKEN


class CastRequest(_Request):
    token: Line = TOKEN
    ratings: list[RatingInput] = Field(min_length=1, max_length=50)
    comments: Text = Field(default="", max_length=4000)
    problems: list[ProblemInput] = Field(default_factory=list, max_length=50)


class SpoilRequest(_Request):
    token: Line = TOKEN
    reason: Text = Field(default="", max_length=500)


class CompleteLookBackRequest(_Request):
    findings: Text = Field(min_length=1, max_length=8000)


class IssuedBallot(BaseModel):
    token: str
    ballot_url: str = Field(
        description="the ballot page with the token in the fragment (#…), which a "
        "browser never sends to a server, so no access log sees it"
    )


class ReadRequest(_Request):
    purpose: Line = Field(min_length=2, max_length=500, description="why the officer reads it")


class CommentsView(BaseModel):
    meeting_id: str
    comments: dict[str, list[str]] = Field(description="per agency, sorted")
    general: list[str]
    note: str = "本次查阅已记录 / this reading has been recorded"


class BallotsIssuedView(BaseModel):
    meeting_id: str
    count: int
    ballots: list[IssuedBallot]
    note: str = (
        "令牌只显示这一次，系统只保存其哈希 / tokens are shown only now; only hashes are kept"
    )


class ResponseView(BaseModel):
    @classmethod
    def shown(cls, source: object, **own: Any) -> Self:
        """The view of ``source``: each field of the view that ``source`` has, under
        the same name, beside the view's ``own`` values."""
        taken = {
            name: getattr(source, name)
            for name in cls.model_fields
            if name not in own and hasattr(source, name)
        }
        return cls(**taken, **own)


class LookBackView(ResponseView):
    lookback_id: str
    meeting_id: str
    agency_id: str
    reasons: list[str]
    dissatisfaction_rate: float
    problems_raised: int
    opened_at: datetime
    completed: bool
    findings: str = ""
    completed_at: datetime | None = None

    @classmethod
    def of(cls, lookback: LookBack) -> LookBackView:
        done = lookback.completed
        return cls.shown(
            lookback.opened,
            completed=done is not None,
            findings=done.findings if done else "",
            completed_at=done.completed_at if done else None,
        )


class WithheldView(BaseModel):
    agency_id: str
    min_valid_ballots: int
    message: str = "有效票数过少，不予公布 / too few ballots to publish"


class TallyView(ResponseView):
    meeting_id: str
    algorithm: str
    ballots_issued: int
    ballots_cast: int
    ballots_spoiled: int
    ballots_uncast: int
    valid_ballots: int
    results: list[AgencyResult]
    lookbacks: list[LookBackView]
    withheld: list[WithheldView] = Field(
        default=[], description="agencies whose result is not published: too few valid ballots"
    )


class MeetingView(BaseModel):
    meeting_id: str
    status: MeetingStatus
    status_zh: str
    campaign_id: str
    region_code: str
    office_id: str
    agencies: list[AgencyUnderEvaluation]
    held_on: date
    place: str
    representatives_required: int
    min_representatives: int
    reason_for_fewer: str
    pool_hash: str | None = None
    pool_size: int | None = None
    randomness: str | None = None
    seed: str | None = None
    representatives: list[str] = []
    reserves_remaining: list[str] = []
    replacements: int = 0
    attendees: int | None = None
    ballots_issued: int = 0
    ballots_cast: int = 0
    ballots_spoiled: int = 0
    tally: TallyView | None = None
    published: bool = False

    @classmethod
    def of(cls, state: MeetingState) -> MeetingView:
        m = state.scheduled
        assert m is not None
        drawn = state.drawn
        return cls(
            meeting_id=m.meeting_id,
            status=state.status,
            status_zh=STATUS_ZH[state.status],
            campaign_id=m.campaign_id,
            region_code=m.region_code,
            office_id=m.office_id,
            agencies=list(m.agencies),
            held_on=m.held_on,
            place=m.place,
            representatives_required=m.representatives,
            min_representatives=m.min_representatives,
            reason_for_fewer=m.reason_for_fewer,
            pool_hash=state.pool.pool_hash if state.pool else None,
            pool_size=len(state.pool.entities) if state.pool else None,
            randomness=drawn.randomness if drawn else None,
            seed=drawn.seed if drawn else None,
            representatives=list(state.representatives),
            reserves_remaining=list(drawn.reserves[state.reserves_used :]) if drawn else [],
            replacements=len(state.replacements),
            attendees=len(state.attendance.attendee_entity_ids) if state.attendance else None,
            ballots_issued=len(state.token_hashes),
            ballots_cast=len(state.spent),
            ballots_spoiled=len(state.spoiled_hashes),
            tally=tally_view(state),
            published=state.published is not None,
        )


def tally_view(state: MeetingState, public: bool = False) -> TallyView | None:
    """The office's view has every figure (withheld agencies named beside them); the
    public view (``public``) has the published ones only, with their look-backs."""
    t = state.tallied
    if t is None:
        return None
    minimum = t.min_valid_ballots
    shown = {r.agency_id for r in t.results if not public or publishable(r, minimum)}
    return TallyView.shown(
        t,
        results=[r for r in t.results if r.agency_id in shown],
        lookbacks=[LookBackView.of(lb) for a, lb in state.lookbacks.items() if a in shown],
        withheld=[
            WithheldView(agency_id=r.agency_id, min_valid_ballots=minimum)
            for r in t.results
            if not publishable(r, minimum)
        ],
    )


class PoolView(ResponseView):
    meeting_id: str
    pool_hash: str
    frozen_at: datetime
    pool: PoolDocument


class DrawView(ResponseView):
    meeting_id: str
    randomness: str
    randomness_source: str
    drawn_at: datetime
    draw: DrawResult


class VerificationView(BaseModel):
    matches: bool | None
    first_difference: str | None
    message: str
    recomputed: DrawResult

    @classmethod
    def of(cls, verification: Verification) -> VerificationView:
        if verification.matches is None:
            message = "已重新计算；未提供预期结果 / recomputed; nothing given to compare with"
        elif verification.matches:
            message = "重新计算的结果与公布的抽取结果一致 / the recomputed draw matches"
        else:
            message = (
                f"不一致，第一处差异：{verification.first_difference} / "
                f"does not match; first difference: {verification.first_difference}"
            )
        return cls(
            matches=verification.matches,
            first_difference=verification.first_difference,
            message=message,
            recomputed=verification.recomputed,
        )


class BallotView(BaseModel):
    meeting_id: str
    place: str
    held_on: date
    state: str = Field(description="open | cast | spoiled | closed")
    agencies: list[AgencyUnderEvaluation]
    ratings: dict[str, str] = {r.value: f"{RATING_ZH[r]} {r.value}" for r in Rating}


class CastView(BaseModel):
    meeting_id: str
    accepted: bool = True
    message: str = "选票已收到，谢谢参与 / ballot received, thank you"


class RepresentativeView(SheetLine):
    """One line of the check-in sheet; names are unsealed only for the office, and
    only behind a recorded ``RepresentativesSheetRead``."""


class TallyCheckView(BaseModel):
    meeting_id: str
    matches: bool
    first_difference: str | None
    recomputed: TallyView
