"""Reference data: agencies, campaigns, regulated entities (never their sealed names)."""

from __future__ import annotations

import json

from services.reporting.readmodels.projections.registry import projects
from services.reporting.readmodels.unit_of_work import UnitOfWork
from shared.events import directory as d
from shared.events.reader import EnvelopeAttributes


@projects(d.AgencyRegistered, d.AgencyChanged)
def agency(uow: UnitOfWork, envelope: EnvelopeAttributes, event: d.AgencyRegistered) -> None:
    a = event.agency
    uow.agencies[a.agency_id] = {
        "agency_id": a.agency_id,
        "name": a.name,
        "region_code": a.region_code,
        "level": a.level.value,
        "sector": a.sector.value,
        "supervising_office": a.supervising_office,
    }


@projects(d.CampaignRegistered, d.CampaignChanged)
def campaign(uow: UnitOfWork, envelope: EnvelopeAttributes, event: d.CampaignRegistered) -> None:
    c = event.campaign
    uow.campaigns[c.campaign_id] = {
        "campaign_id": c.campaign_id,
        "name": c.name,
        "document_no": c.document_no,
        "region_code": c.region_code,
        "phases": json.dumps([p.model_dump(mode="json") for p in c.phases], ensure_ascii=False),
        "rules": c.rules.model_dump_json(),
    }


@projects(d.RegulatedEntityRegistered, d.RegulatedEntityChanged)
def entity(
    uow: UnitOfWork, envelope: EnvelopeAttributes, event: d.RegulatedEntityRegistered
) -> None:
    e = event.entity
    uow.entities[e.entity_id] = {
        "entity_id": e.entity_id,
        "kind": e.kind.value,
        "region_code": e.region_code,
        "agency_ids": json.dumps(list(e.agency_ids)),
    }
