"""A rule improvement (完善规章制度): a regulation or internal system adopted to
prevent the problems it answers from recurring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.rectification.domain.access import require_agency_staff, require_office
from shared.actors import Actor, Role
from shared.errors import Conflict, Invalid
from shared.events.base import DomainEvent
from shared.events.rectification import RegulationAdopted, RegulationKind
from shared.fields import copy_fields
from shared.text import not_blank

REGULATION_PREFIX = "reg-"


@dataclass(frozen=True)
class AdoptRegulation:
    actor: Actor
    regulation_id: str
    campaign_id: str
    region_code: str
    agency_id: str
    kind: RegulationKind
    title: str
    summary: str
    problem_ids: tuple[str, ...]
    adopted_on: date
    at: datetime


class RegulationDecider:
    def initial_state(self) -> RegulationAdopted | None:
        return None

    def decide(
        self, command: AdoptRegulation, state: RegulationAdopted | None
    ) -> Sequence[DomainEvent]:
        if command.actor.role is Role.agency_staff:
            require_agency_staff(command.actor, command.agency_id)
        else:
            require_office(command.actor, command.region_code)
        if state is not None:
            raise Conflict(
                f"制度 {command.regulation_id} 已登记",
                f"regulation {command.regulation_id} is already recorded",
                code="already_recorded",
            )
        if not command.problem_ids:
            raise Invalid(
                "须写明该制度针对的问题",
                "problem_ids must name at least one problem",
                field="problem_ids",
            )
        return [
            copy_fields(
                command,
                RegulationAdopted,
                title=not_blank(command.title, "title", "制度名称"),
                summary=command.summary.strip(),
                problem_ids=tuple(dict.fromkeys(command.problem_ids)),
                recorded_at=command.at,
            )
        ]

    def evolve(
        self, state: RegulationAdopted | None, event: DomainEvent
    ) -> RegulationAdopted | None:
        return event if isinstance(event, RegulationAdopted) else state


REGULATION_EVENTS: tuple[type[DomainEvent], ...] = (RegulationAdopted,)
