"""Public reads of the reference data intake knows: campaigns and agencies (no
personal data; regulated entities are not listed here)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.errors import NotFound
from shared.events.directory import AgencyRecord, CampaignRecord
from shared.regions import UnknownRegion, jiangxi
from shared.text import IdPath
from shared.vocabulary import Sector

from .deps import Parts

router = APIRouter(tags=["directory / 名录"])


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignRecord,
    summary="专项治理活动及其阶段 / A campaign and its phases",
)
async def get_campaign(campaign_id: IdPath, parts: Parts) -> CampaignRecord:
    campaign = parts.directory.campaigns.get(campaign_id)
    if campaign is None:
        raise NotFound(
            f"未找到专项治理活动 {campaign_id}", f"campaign {campaign_id} not found", field="id"
        )
    return campaign


@router.get(
    "/agencies",
    response_model=list[AgencyRecord],
    summary="执法机关名录（供举报时选择） / Agencies, to name one in a tip",
)
async def list_agencies(
    parts: Parts, region_code: str | None = None, sector: Sector | None = None
) -> list[AgencyRecord]:
    def within(agency: AgencyRecord) -> bool:
        if region_code is None:
            return True
        try:
            return jiangxi().is_within(agency.region_code, region_code)
        except UnknownRegion:
            return False

    return sorted(
        (
            a
            for a in parts.directory.agencies.values()
            if within(a) and (sector is None or a.sector is sector)
        ),
        key=lambda a: a.agency_id,
    )
