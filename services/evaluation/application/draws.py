"""The published pool and draw of a meeting, and the draw recomputed from them: open
to anyone, so that anyone can check who was drawn."""

from __future__ import annotations

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.preparation import drawn_result, pool_document
from shared.errors import Conflict
from shared.events.evaluation import PoolFrozen, RepresentativesDrawn


def frozen_pool(app: EvaluationApp, meeting_id: str) -> PoolFrozen:
    state = app.meeting(meeting_id)
    if state.pool is None:
        raise Conflict(
            "样本库尚未冻结", "the pool is not frozen yet", field="status", code="wrong_status"
        )
    return state.pool


def recorded_draw(app: EvaluationApp, meeting_id: str) -> RepresentativesDrawn:
    state = app.meeting(meeting_id)
    if state.drawn is None:
        raise Conflict(
            "尚未抽取代表", "representatives are not drawn yet", field="status", code="wrong_status"
        )
    return state.drawn


def verify_recorded_draw(app: EvaluationApp, meeting_id: str) -> draw_algorithm.Verification:
    """The meeting's draw recomputed from its frozen pool and published randomness."""
    pool, drawn = frozen_pool(app, meeting_id), recorded_draw(app, meeting_id)
    return draw_algorithm.verify(
        pool_document(pool), drawn.randomness, drawn.algorithm, drawn_result(drawn)
    )
