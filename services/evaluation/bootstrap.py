"""The evaluation service, declared: its topic and meetings, the application its
handlers share, the directory it follows, its routers. The kernel builds the rest."""

from __future__ import annotations

from fastapi import FastAPI

from services.evaluation.api import ballots, counting, draws, meetings, public, readings
from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain.meeting import MEETING_EVENTS, MeetingDecider
from services.evaluation.store import MEETING, EvaluationStore
from shared.clock import Clock
from shared.eventstore import AggregateKind
from shared.kernel import ServiceDefinition, View, build_service
from shared.settings import Settings
from shared.topics import DIRECTORY, EVALUATION

SERVICE = "evaluation"

DEFINITION: ServiceDefinition[EvaluationApp] = ServiceDefinition(
    name=SERVICE,
    topic=EVALUATION,
    description=(
        "民主评议会：样本库、公开随机抽取、一次性选票、计票与公布 / evaluation meetings: "
        "the pool, the public draw, one-time ballots, the tally and its publication"
    ),
    kinds=(AggregateKind(MEETING, MeetingDecider(), MEETING_EVENTS),),
    application=EvaluationApp.build,
    routers=tuple(m.router for m in (meetings, readings, counting, draws, ballots, public)),
    store=EvaluationStore,
    # Campaign thresholds, agencies and regulated entities, kept as a local view.
    views=(View(DIRECTORY, lambda app: app.directory.apply),),
)


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    return build_service(DEFINITION, settings, clock)
