"""Rule improvements recorded against the problems they answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.rectification.api.cases import known_items
from services.rectification.api.deps import (
    Runtime,
    context,
    new_id,
    require_reader_of_region,
)
from services.rectification.api.models import RegulationPage, RegulationRequest, RegulationView
from services.rectification.domain.access import require_agency_staff, require_region
from services.rectification.domain.regulations import REGULATION_PREFIX, AdoptRegulation
from services.rectification.runtime import REGULATION
from shared.access_policy import Resource, readers_of
from shared.actors import Role
from shared.auth import CurrentActor
from shared.events.rectification import RegulationAdopted
from shared.paging import Limit, Offset, window
from shared.regions import jiangxi, known_region

router = APIRouter(tags=["regulations 制度完善"])


def _view(event: RegulationAdopted) -> RegulationView:
    return RegulationView(**{**event.model_dump(), "problem_ids": list(event.problem_ids)})


@router.post(
    "/regulations",
    response_model=RegulationView,
    status_code=201,
    summary="登记针对问题建立的规章制度 / Record a regulation adopted against problems",
)
async def adopt(body: RegulationRequest, actor: CurrentActor, runtime: Runtime) -> RegulationView:
    # The role and the actor's own scope first; then the problems, each judged within
    # that scope only, so none tells whether it exists outside it.
    actor.require(Role.agency_staff, Role.legal_office)
    if actor.role is Role.agency_staff:
        require_agency_staff(actor, body.agency_id or actor.organisation)
        agency_id = actor.organisation
        items = known_items(runtime, body.problem_ids, jiangxi().province.code, agency_id)
        region_code = items[0].region_code
    else:
        agency_id = body.agency_id
        region_code = known_region(body.region_code or actor.region_code)
        require_region(actor, region_code)
        items = known_items(runtime, body.problem_ids, region_code)
    regulation_id = new_id(REGULATION_PREFIX)
    command = AdoptRegulation(
        actor=actor,
        regulation_id=regulation_id,
        campaign_id=items[0].campaign_id,
        region_code=region_code,
        agency_id=agency_id,
        kind=body.kind,
        title=body.title,
        summary=body.summary,
        problem_ids=tuple(body.problem_ids),
        adopted_on=body.adopted_on,
        at=runtime.clock.now(),
    )
    await runtime.events.execute(
        REGULATION,
        regulation_id,
        command,
        context(actor, items[0].campaign_id, region_code),
    )
    state: RegulationAdopted = runtime.events.require(REGULATION, regulation_id).state
    return _view(state)


@router.get(
    "/regulations",
    response_model=RegulationPage,
    summary="制度完善列表（按问题、机关、辖区） / List regulations adopted",
)
async def list_regulations(
    actor: CurrentActor,
    runtime: Runtime,
    problem_id: str | None = None,
    agency_id: str | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> RegulationPage:
    regions = jiangxi()
    actor.require(*readers_of(Resource.regulation))
    region = known_region(region_code or actor.region_code)
    if actor.role is Role.agency_staff:
        agency_id = actor.organisation
    else:
        require_reader_of_region(actor, region)

    def chosen(regulation: RegulationAdopted | None) -> bool:
        if regulation is None:
            return False
        if actor.role is Role.agency_staff:
            if regulation.agency_id != agency_id:
                return False
        else:
            if not regions.is_within(regulation.region_code, region):
                return False
            if agency_id is not None and regulation.agency_id != agency_id:
                return False
        return problem_id is None or problem_id in regulation.problem_ids

    total, page = window(
        (r for _, r in runtime.events.all(REGULATION) if chosen(r)),
        key=lambda r: (r.adopted_on, r.regulation_id),
        offset=offset,
        limit=limit,
    )
    return RegulationPage(
        total=total, offset=offset, limit=limit, regulations=[_view(r) for r in page]
    )
