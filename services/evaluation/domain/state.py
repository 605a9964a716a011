"""The state of a meeting folded from its events, and its status. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.errors import Conflict
from shared.events.evaluation import (
    AttendanceRecorded,
    BallotBoxOpened,
    BallotCast,
    BallotSpoiled,
    EvaluationMeetingScheduled,
    EvaluationTallied,
    LookBackCompleted,
    LookBackOpened,
    MeetingClosed,
    PoolFrozen,
    RepresentativeReplaced,
    RepresentativesDrawn,
    ResultsPublished,
)


class MeetingStatus(StrEnum):
    new = "new"
    scheduled = "scheduled"  # 已安排
    pool_frozen = "pool_frozen"  # 样本库已冻结
    drawn = "drawn"  # 已抽取代表
    attended = "attended"  # 已签到
    open = "open"  # 投票中
    closed = "closed"  # 已计票
    published = "published"  # 已公布


STATUS_ZH: dict[MeetingStatus, str] = {
    MeetingStatus.new: "未安排",
    MeetingStatus.scheduled: "已安排",
    MeetingStatus.pool_frozen: "样本库已冻结",
    MeetingStatus.drawn: "已抽取代表",
    MeetingStatus.attended: "已签到",
    MeetingStatus.open: "投票中",
    MeetingStatus.closed: "已计票",
    MeetingStatus.published: "已公布",
}


@dataclass(frozen=True)
class LookBack:
    opened: LookBackOpened
    completed: LookBackCompleted | None = None


@dataclass(frozen=True)
class MeetingState:
    status: MeetingStatus = MeetingStatus.new
    scheduled: EvaluationMeetingScheduled | None = None
    pool: PoolFrozen | None = None
    drawn: RepresentativesDrawn | None = None
    representatives: tuple[str, ...] = ()
    reserves_used: int = 0
    replacements: tuple[RepresentativeReplaced, ...] = ()
    attendance: AttendanceRecorded | None = None
    token_hashes: frozenset[str] = frozenset()
    spent: frozenset[str] = frozenset()
    box: tuple[str, ...] = ()
    opened: BallotBoxOpened | None = None
    legacy_casts: tuple[BallotCast, ...] = ()
    spoiled: tuple[BallotSpoiled, ...] = ()
    closed: MeetingClosed | None = None
    tallied: EvaluationTallied | None = None
    published: ResultsPublished | None = None
    lookbacks: dict[str, LookBack] = field(default_factory=dict)

    @property
    def meeting(self) -> EvaluationMeetingScheduled:
        """The meeting as scheduled: every command but scheduling finds one."""
        assert self.scheduled is not None
        return self.scheduled

    @property
    def agency_ids(self) -> tuple[str, ...]:
        return tuple(a.agency_id for a in self.meeting.agencies)

    @property
    def spoiled_hashes(self) -> frozenset[str]:
        return frozenset(s.token_hash for s in self.spoiled)


def status_conflict(state: MeetingState, wanted_zh: str, wanted_en: str) -> Conflict:
    return Conflict(
        f"评议会当前状态为“{STATUS_ZH[state.status]}”，{wanted_zh}",
        f"the meeting is {state.status.value}; {wanted_en}",
        field="status",
        code="wrong_status",
    )
