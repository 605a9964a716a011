"""The published pool and draw of a meeting, and the draw recomputed from them: open
to anyone, so that anyone can check who was drawn."""

from __future__ import annotations

from typing import TypeVar

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.preparation import drawn_result, pool_document
from shared.errors import Conflict
from shared.events.evaluation import PoolFrozen, RepresentativesDrawn

E = TypeVar("E")


def frozen_pool(app: EvaluationApp, meeting_id: str) -> PoolFrozen:
    pool = app.meeting(meeting_id).pool
    return _recorded(pool, "样本库尚未冻结", "the pool is not frozen yet")


def recorded_draw(app: EvaluationApp, meeting_id: str) -> RepresentativesDrawn:
    drawn = app.meeting(meeting_id).drawn
    return _recorded(drawn, "尚未抽取代表", "representatives are not drawn yet")


def _recorded(event: E | None, not_yet_zh: str, not_yet_en: str) -> E:
    if event is None:
        raise Conflict(not_yet_zh, not_yet_en, field="status", code="wrong_status")
    return event


def verify_recorded_draw(app: EvaluationApp, meeting_id: str) -> draw_algorithm.Verification:
    """The meeting's draw recomputed from its frozen pool and published randomness."""
    pool, drawn = frozen_pool(app, meeting_id), recorded_draw(app, meeting_id)
    return draw_algorithm.verify(
        pool_document(pool), drawn.randomness, drawn.algorithm, drawn_result(drawn)
    )
