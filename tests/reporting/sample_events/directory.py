"""Directory data of the samples: the campaign, agencies and regulated entities."""

from __future__ import annotations

from datetime import date

from shared.events import directory as d
from shared.vocabulary import AdminLevel, Power, Sector
from tests.reporting.sample_events.log import CAMPAIGN, EventLog


def campaign_record(region: str = "360000") -> d.CampaignRecord:
    phases = [
        (1, d.PhaseCode.mobilisation, "动员部署", date(2016, 10, 1), date(2016, 10, 31)),
        (2, d.PhaseCode.finding, "查找问题", date(2016, 11, 1), date(2016, 12, 31)),
        (3, d.PhaseCode.rectification, "整改落实", date(2017, 1, 1), date(2017, 1, 31)),
        (4, d.PhaseCode.evaluation, "群众评议", date(2017, 2, 1), date(2017, 2, 28)),
        (5, d.PhaseCode.summary, "总结提高", date(2017, 3, 1), date(2017, 3, 31)),
    ]
    return d.CampaignRecord(
        campaign_id=CAMPAIGN,
        name="行政执法不公专项治理",
        document_no="赣府厅字〔2016〕",
        region_code=region,
        phases=tuple(
            d.Phase(number=n, code=c, name_zh=z, starts_on=s, ends_on=e) for n, c, z, s, e in phases
        ),
    )


def register_campaign(log: EventLog) -> None:
    log.add(CAMPAIGN, d.CampaignRegistered(campaign=campaign_record()), region="360000")


def agency_record(
    agency_id: str,
    region: str,
    name: str = "",
    powers: tuple[Power, ...] = (Power.penalty, Power.inspection),
) -> d.AgencyRecord:
    """A market supervision bureau of ``region``'s level (a city's code ends in 00)."""
    return d.AgencyRecord(
        agency_id=agency_id,
        name=name or f"{region}市场监督管理局",
        region_code=region,
        level=AdminLevel.county if not region.endswith("00") else AdminLevel.city,
        sector=Sector.market_supervision,
        powers=powers,
    )


def register_agency(log: EventLog, agency_id: str, region: str, name: str = "") -> None:
    record = agency_record(agency_id, region, name)
    log.add(agency_id, d.AgencyRegistered(agency=record), region=region)


def entity_story(log: EventLog, key: str, agency: str, region: str) -> None:
    record = d.RegulatedEntityRecord(
        entity_id=f"ent-{key}",
        kind=d.EntityKind.firm,
        region_code=region,
        agency_ids=(agency,),
        sealed_name="sealed",
    )
    log.add(record.entity_id, d.RegulatedEntityRegistered(entity=record), region=region)
    log.add(record.entity_id, d.RegulatedEntityChanged(entity=record), region=region)
