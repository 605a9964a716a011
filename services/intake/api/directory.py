"""Public reads of the reference data intake knows: campaigns and agencies (no
personal data; regulated entities are not listed here)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.events.directory import AgencyRecord, CampaignRecord
from shared.params import IdPath
from shared.vocabulary import Sector

from ..application import directory
from .deps import AppDep

router = APIRouter(tags=["directory / 名录"])


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignRecord,
    summary="专项治理活动及其阶段 / A campaign and its phases",
)
async def get_campaign(campaign_id: IdPath, app: AppDep) -> CampaignRecord:
    return await directory.campaign(app, campaign_id)


@router.get(
    "/agencies",
    response_model=list[AgencyRecord],
    summary="执法机关名录（供举报时选择） / Agencies, to name one in a tip",
)
async def list_agencies(
    app: AppDep, region_code: str | None = None, sector: Sector | None = None
) -> list[AgencyRecord]:
    return await directory.agencies(app, region_code=region_code, sector=sector)
