"""Dashboards, drill-down, rankings, timelines and the events behind a figure."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from services.reporting.api.access import (
    not_found_or_hidden,
    require,
    require_agency,
    require_auditor,
    require_region,
)
from services.reporting.api.deps import Context, ReadConnection
from services.reporting.api.models import (
    AgencyDashboard,
    CampaignProgress,
    EventsBehindFigure,
    ProjectorState,
    Ranking,
    RankingEntry,
    RegionDashboard,
    RegionDashboardChild,
    Timeline,
)
from services.reporting.api.views import (
    agency_ref,
    agency_row,
    may_see_subject,
    offsets,
    region_ref,
    summaries,
)
from services.reporting.readmodels import drilldown, queries, schema
from services.reporting.readmodels.figures import (
    agency_figures,
    children_figures,
    region_figures,
)
from services.reporting.readmodels.status import describe
from shared.access_policy import (
    Resource,
    Target,
    may_read,
    readable_figures,
    require_role_for,
)
from shared.auth import CurrentActor
from shared.errors import Invalid, NotFound
from shared.params import IdPath, RegionPath
from shared.regions import RegionLevel, jiangxi, known_region

router = APIRouter(tags=["dashboard"])

RankMetric = Literal["satisfaction", "dissatisfaction", "on_time", "completion"]


@router.get(
    "/dashboard/regions/{region_code}",
    response_model=RegionDashboard,
    summary="地区工作数据（含下级汇总与下钻） / Region dashboard with drill-down",
)
def region_dashboard(
    region_code: RegionPath, actor: CurrentActor, conn: ReadConnection
) -> RegionDashboard:
    require_region(actor, region_code)
    children = children_figures(conn, region_code)
    agencies = queries.agency_names(conn, region_code)
    return RegionDashboard(
        region=region_ref(region_code),
        figures=region_figures(conn, region_code),
        children=[
            RegionDashboardChild(region=region_ref(code), figures=figures)
            for code, figures in children.items()
        ],
        agencies=[agency_ref(row) for _, row in sorted(agencies.items())],
        offsets=offsets(conn),
    )


@router.get(
    "/dashboard/agencies/{agency_id}",
    response_model=AgencyDashboard,
    summary="执法机关工作数据 / Agency dashboard",
)
def agency_dashboard(
    agency_id: IdPath, actor: CurrentActor, conn: ReadConnection
) -> AgencyDashboard:
    row = agency_row(conn, agency_id)
    require_agency(actor, agency_id, str(row["region_code"]) if row else None)
    assert row is not None  # require_agency answers 404 for an unknown agency
    return AgencyDashboard(
        agency=agency_ref(row),
        figures=readable_figures(actor, Resource.agency_figures, agency_figures(conn, agency_id)),
        offsets=offsets(conn),
    )


def _ranking(
    metric: str,
    min_volume: int,
    result: tuple[list[queries.RankedEntry], list[queries.RankedEntry]],
) -> Ranking:
    ranked, too_small = result
    return Ranking(
        metric=metric,
        min_volume=min_volume,
        ranked=[RankingEntry(**e.__dict__) for e in ranked],
        below_minimum_volume=[RankingEntry(**e.__dict__) for e in too_small],
    )


@router.get(
    "/rankings/agencies",
    response_model=Ranking,
    summary="执法机关排名（最低样本量规则） / Agency ranking with a minimum volume",
)
def agency_ranking(
    actor: CurrentActor,
    conn: ReadConnection,
    region_code: Annotated[
        str, Query(description="rank the agencies of this region and below")
    ] = "360000",
    metric: RankMetric = "satisfaction",
    min_volume: Annotated[int, Query(ge=1, description="smallest denominator that is ranked")] = 30,
) -> Ranking:
    require_region(actor, region_code)
    return _ranking(
        metric, min_volume, queries.agency_ranking(conn, region_code, metric, min_volume)
    )


@router.get(
    "/rankings/regions",
    response_model=Ranking,
    summary="地区排名（最低样本量规则） / Region ranking with a minimum volume",
)
def region_ranking(
    actor: CurrentActor,
    conn: ReadConnection,
    parent_code: Annotated[str, Query(description="rank regions below this one")] = "360000",
    level: Annotated[RegionLevel, Query(description="city or county")] = RegionLevel.CITY,
    metric: RankMetric = "satisfaction",
    min_volume: Annotated[int, Query(ge=1)] = 30,
) -> Ranking:
    require_region(actor, parent_code)
    if level is RegionLevel.PROVINCE:
        raise Invalid("排名层级应为市或县", "level must be city or county", field="level")
    return _ranking(
        metric, min_volume, queries.region_ranking(conn, parent_code, level, metric, min_volume)
    )


@router.get(
    "/figures/events",
    response_model=EventsBehindFigure,
    response_model_exclude_none=True,
    summary="某项数据背后的事件（按角色裁剪，不含事件内容） / The events behind a figure, "
    "cut to what the reader may see (never the events' data)",
)
def events_behind_figure(
    actor: CurrentActor,
    conn: ReadConnection,
    metric: Annotated[str, Query(min_length=1, description="e.g. problems.category.fair")],
    region_code: str | None = None,
    agency_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> EventsBehindFigure:
    require_role_for(actor, Resource.drilldown_events)
    if region_code is not None:
        known_region(region_code, refusal=NotFound)
        require(actor, Resource.drilldown_events, Target(region_code=region_code))
    if agency_id is not None:
        row = agency_row(conn, agency_id)
        target = Target(region_code=str(row["region_code"]) if row else "", agency_id=agency_id)
        if row is None or not may_read(actor, Resource.drilldown_events, target):
            raise not_found_or_hidden("agency", agency_id, "agency_id")
    if region_code is None and agency_id is None:
        # Over the whole province: for those whose region is the province.
        require(actor, Resource.drilldown_events, Target(region_code=jiangxi().province.code))
    try:
        found = drilldown.events_behind(
            conn, metric, region_code=region_code, agency_id=agency_id, limit=limit
        )
    except KeyError:
        raise Invalid(
            f"无法追溯的指标 {metric}",
            f"metric {metric} cannot be traced to events",
            field="metric",
        ) from None
    visible = [row for row in found if may_see_subject(actor, row)]
    streams = sorted({drilldown.aggregate_of(row) for row in visible})
    return EventsBehindFigure(
        metric=metric,
        region_code=region_code,
        agency_id=agency_id,
        subjects=[row.subject for row in visible],
        events=summaries(actor, drilldown.event_rows(conn, streams)),
    )


@router.get(
    "/timelines/{subject}",
    response_model=Timeline,
    response_model_exclude_none=True,
    summary="单个事项的事件（按角色裁剪，不含事件内容） / The events of one aggregate, "
    "cut to what the reader may see",
)
def timeline(subject: IdPath, actor: CurrentActor, conn: ReadConnection) -> Timeline:
    require_role_for(actor, Resource.timeline)
    row = drilldown.subject_row(conn, subject)
    target = Target(region_code=row.region_code, agency_id=row.agency_id) if row else None
    events = (
        summaries(actor, drilldown.event_rows(conn, [subject]))
        if target is not None and may_read(actor, Resource.timeline, target)
        else []
    )
    if not events:  # unknown, outside the actor's scope, or nothing the role may read
        raise not_found_or_hidden("subject", subject, "subject")
    return Timeline(subject=subject, events=events)


@router.get(
    "/campaigns/{campaign_id}/progress",
    response_model=CampaignProgress,
    summary="各阶段进度（对照方案日期） / Progress per phase against the plan's dates",
)
def campaign_progress(
    campaign_id: IdPath, actor: CurrentActor, conn: ReadConnection, context: Context
) -> CampaignProgress:
    require_role_for(actor, Resource.campaign_progress)
    progress = queries.campaign_progress(conn, campaign_id, context.clock.now().date())
    if progress is None:
        raise NotFound(
            f"未找到专项治理活动 {campaign_id}",
            f"campaign {campaign_id} not found",
            field="campaign_id",
        )
    return CampaignProgress.model_validate(progress)


@router.get(
    "/projector",
    response_model=ProjectorState,
    summary="读模型投影状态 / Projector state",
)
def projector_state(actor: CurrentActor, context: Context, conn: ReadConnection) -> ProjectorState:
    require_auditor(actor)
    stored = conn.execute(select(func.count()).select_from(schema.dead_letters)).scalar_one()
    status = describe(context.projector.status)
    return ProjectorState(
        **{k: v for k, v in status.items()}, dead_letters_stored=int(stored), offsets=offsets(conn)
    )
