"""Rule improvements recorded against the problems they answer."""

from __future__ import annotations

from fastapi import APIRouter

from services.rectification.api.deps import ACTING, AppDep, RegionQuery
from services.rectification.api.models import RegulationPage, RegulationRequest, RegulationView
from services.rectification.application import regulations
from shared.auth import CurrentActor
from shared.params import Limit, Offset
from shared.routes import post_action

router = APIRouter(tags=["regulations 制度完善"])


post_action(
    router,
    "/regulations",
    regulations.adopt,
    summary="登记针对问题建立的规章制度 / Record a regulation adopted against problems",
    response_model=RegulationView,
    view=RegulationView.of,
    depends=ACTING,
    body=RegulationRequest,
    status_code=201,
)


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
    region_code: RegionQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> RegulationPage:
    listed = regulations.list_regulations(
        app,
        actor,
        problem_id=problem_id,
        agency_id=agency_id,
        region_code=region_code,
        offset=offset,
        limit=limit,
    )
    return RegulationPage.of(listed, offset, limit, RegulationView.of)
