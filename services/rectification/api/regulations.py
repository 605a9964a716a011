"""Rule improvements recorded against the problems they answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.rectification.api.deps import AppDep
from services.rectification.api.models import RegulationPage, RegulationRequest, RegulationView
from services.rectification.application import regulations
from shared.auth import CurrentActor
from shared.events.rectification import RegulationAdopted
from shared.params import Limit, Offset

router = APIRouter(tags=["regulations 制度完善"])


def _view(event: RegulationAdopted) -> RegulationView:
    return RegulationView(**{**event.model_dump(), "problem_ids": list(event.problem_ids)})


@router.post(
    "/regulations",
    response_model=RegulationView,
    status_code=201,
    summary="登记针对问题建立的规章制度 / Record a regulation adopted against problems",
)
async def adopt(body: RegulationRequest, actor: CurrentActor, app: AppDep) -> RegulationView:
    adopted = await regulations.adopt(
        app,
        actor,
        kind=body.kind,
        title=body.title,
        summary=body.summary,
        problem_ids=body.problem_ids,
        adopted_on=body.adopted_on,
        agency_id=body.agency_id,
        region_code=body.region_code,
    )
    return _view(adopted)


@router.get(
    "/regulations",
    response_model=RegulationPage,
    summary="制度完善列表（按问题、机关、辖区） / List regulations adopted",
)
async def list_regulations(
    actor: CurrentActor,
    app: AppDep,
    problem_id: str | None = None,
    agency_id: str | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> RegulationPage:
    total, page = regulations.list_regulations(
        app,
        actor,
        problem_id=problem_id,
        agency_id=agency_id,
        region_code=region_code,
        offset=offset,
        limit=limit,
    )
    return RegulationPage(
        total=total, offset=offset, limit=limit, regulations=[_view(r) for r in page]
    )
