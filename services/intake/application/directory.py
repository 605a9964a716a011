"""Public reads of the reference data intake follows: campaigns and agencies (no
personal data; regulated entities are not listed here)."""

from __future__ import annotations

from shared.errors import NotFound
from shared.events.directory import AgencyRecord, CampaignRecord
from shared.regions import UnknownRegion, jiangxi
from shared.vocabulary import Sector

from .app import IntakeApp


async def campaign(app: IntakeApp, campaign_id: str) -> CampaignRecord:
    found = app.directory.campaigns.get(campaign_id)
    if found is None:
        raise NotFound(
            f"未找到专项治理活动 {campaign_id}", f"campaign {campaign_id} not found", field="id"
        )
    return found


async def agencies(
    app: IntakeApp, *, region_code: str | None = None, sector: Sector | None = None
) -> list[AgencyRecord]:
    """The agencies in ``region_code`` and below (an unknown code: none), of ``sector``,
    by id."""

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
            for a in app.directory.agencies.values()
            if within(a) and (sector is None or a.sector is sector)
        ),
        key=lambda a: a.agency_id,
    )
