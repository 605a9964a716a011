"""Agencies' own filings: implementation plan, self-analysis, self-inspection report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, status

from shared.actors import Actor
from shared.auth import CurrentActor
from shared.body_limit import KiB, MiB, body_limit
from shared.params import IdPath

from ..application import IntakeApp, self_inspection
from ..application.problems import ProblemDraft
from ..application.self_inspection import Filed
from .deps import AppDep, CorrelationId
from .models import AnalysisBody, Filing, PlanBody, ReportBody, SelfInspectionView

router = APIRouter(prefix="/self-inspection", tags=["self-inspection / 机关自查"])


async def _file(
    handler: Callable[..., Awaitable[Filed]],
    body: PlanBody | AnalysisBody | ReportBody,
    app: IntakeApp,
    actor: Actor,
    correlation: str,
    **fields: Any,
) -> Filing:
    """The filing as ``handler`` records it: the body's fields are its keyword
    arguments (no ``campaign_id``: the default campaign), ``fields`` in their place."""
    arguments = {**dict(body), "campaign_id": body.campaign_id or "", **fields}
    filed = await handler(app, actor, **arguments, correlation_id=correlation)
    return Filing(
        agency_id=filed.agency_id,
        campaign_id=filed.campaign_id,
        filing_id=filed.filing_id,
        phase=str(filed.phase),
        problem_ids=list(filed.problem_ids),
    )


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送实施方案（动员部署阶段） / File the implementation plan (phase 1)",
)
@body_limit(256 * KiB)  # two texts of 5000 characters, \u-escaped by some clients
async def file_plan(
    body: PlanBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    return await _file(self_inspection.file_plan, body, app, actor, correlation)


@router.post(
    "/analyses",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送剖析材料（查找问题阶段） / File self-analysis material (phase 2)",
)
@body_limit(256 * KiB)  # findings of 10 000 characters, \u-escaped by some clients
async def file_analysis(
    body: AnalysisBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    return await _file(self_inspection.file_analysis, body, app, actor, correlation)


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=Filing,
    summary="报送自查报告（查找问题阶段） / File the self-inspection report (phase 2)",
    description="报告所列每个问题产生一个来源为 self_inspection 的 ProblemFound。",
)
@body_limit(2 * MiB)  # a summary and 100 problems of 2000 characters each, \u-escaped
async def file_report(
    body: ReportBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> Filing:
    drafts = [ProblemDraft(p.category, p.kind, p.severity, p.summary) for p in body.problems]
    return await _file(self_inspection.file_report, body, app, actor, correlation, problems=drafts)


@router.get(
    "/{agency_id}",
    response_model=SelfInspectionView,
    summary="机关自查报送情况 / An agency's filings",
)
async def get_filings(
    agency_id: IdPath, app: AppDep, actor: CurrentActor, campaign_id: str | None = None
) -> SelfInspectionView:
    filings = await self_inspection.filings_of(app, actor, agency_id, campaign_id or "")
    state = filings.state
    return SelfInspectionView(
        agency_id=filings.agency_id,
        campaign_id=filings.campaign_id,
        plan_id=state.plan_id,
        analysis_ids=sorted(state.analysis_ids),
        report_id=state.report_id,
        problem_ids=list(state.problem_ids),
    )
