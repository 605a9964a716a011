"""The directory projection ignores redelivered and older events."""

from __future__ import annotations

from services.evaluation.directory import Directory
from shared.events.directory import AgencyChanged, AgencyRecord, AgencyRegistered
from shared.vocabulary import AdminLevel, Power, Sector
from tests.evaluation.directory_data import envelope


def agency(name: str) -> AgencyRecord:
    return AgencyRecord(
        agency_id="ag-x",
        name=name,
        region_code="360102",
        level=AdminLevel.county,
        sector=Sector.urban_management,
        powers=(Power.penalty,),
    )


def test_an_older_event_redelivered_does_not_revert_a_newer_one() -> None:
    directory = Directory()
    first = envelope("ag-x", AgencyRegistered(agency=agency("旧名")))
    second = envelope("ag-x", AgencyChanged(agency=agency("新名"))).model_copy(
        update={"sequence": 2}
    )
    assert directory.apply(first, AgencyRegistered(agency=agency("旧名")))
    assert directory.apply(second, AgencyChanged(agency=agency("新名")))
    assert not directory.apply(first, AgencyRegistered(agency=agency("旧名")))
    assert directory.agencies["ag-x"].name == "新名"
