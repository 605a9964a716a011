"""The directory importer: validation with line numbers, nothing half-imported,
only new or changed records published, entity names sealed; intake learns the
directory live; the shipped samples describe the 2016 campaign."""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.cli import main as campaign_cli
from services.intake.demo import SAMPLES
from services.intake.directory.csv_rows import read_agencies, read_campaigns, read_entities
from services.intake.directory.importer import load_directory, run_import
from shared.settings import Settings, get_settings
from shared.topics import DIRECTORY
from shared.vocabulary import Sector

from .helpers import World, read_topic, wait_for

AGENCY_HEADER = [
    "agency_id",
    "name",
    "region_code",
    "level",
    "sector",
    "powers",
    "supervising_office",
]
ENTITY_HEADER = ["entity_id", "kind", "region_code", "agency_ids", "name", "contact"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_samples_describe_the_2016_campaign_across_jiangxi() -> None:
    campaigns = read_campaigns(SAMPLES / "campaigns.csv")
    agencies = read_agencies(SAMPLES / "agencies.csv")
    entities = read_entities(SAMPLES / "entities.csv", {a.agency_id for a in agencies.records})
    assert not campaigns.errors and not agencies.errors and not entities.errors
    (campaign,) = campaigns.records
    assert campaign.campaign_id == Settings().default_campaign_id
    assert campaign.document_no == "赣府法办字〔2016〕25号"
    assert [(p.code.value, p.starts_on, p.ends_on) for p in campaign.phases] == [
        ("mobilisation", date(2016, 6, 6), date(2016, 7, 15)),
        ("finding", date(2016, 7, 16), date(2016, 8, 31)),
        ("rectification", date(2016, 9, 1), date(2017, 1, 31)),
        ("evaluation", date(2017, 2, 1), date(2017, 2, 28)),
        ("summary", date(2017, 3, 1), date(2017, 3, 31)),
    ]
    assert {a.sector for a in agencies.records} == set(Sector)
    assert len({a.region_code[:4] for a in agencies.records if a.level != "province"}) >= 4
    assert {a.level for a in agencies.records} == {"province", "city", "county"}
    per_region = Counter(e.region_code for e in entities.records)
    assert max(per_region.values()) >= 30


def test_import_publishes_only_new_or_changed_records_with_names_sealed(
    broker_settings: Settings, tmp_path: Path, intake: TestClient, world: World
) -> None:
    run = uuid.uuid4().hex[:8]
    agency_a, agency_b = f"ag-imp-{run}-a", f"ag-imp-{run}-b"
    agency_rows = [
        [
            agency_a,
            f"东湖区市场监管局{run}",
            "360102",
            "county",
            "market_supervision",
            "penalty;inspection",
            "",
        ],
        [agency_b, f"西湖区城管局{run}", "360103", "county", "urban_management", "penalty", ""],
    ]
    entity_name = f"东湖区某某餐饮店{run}"
    entity_rows = [
        [
            f"ent-imp-{run}-1",
            "individual_business",
            "360102",
            agency_a,
            entity_name,
            "0791-86000001",
        ],
        [f"ent-imp-{run}-2", "firm", "360103", f"{agency_b};{agency_a}", f"某公司{run}", ""],
    ]
    agencies = write(tmp_path / "agencies.csv", AGENCY_HEADER, agency_rows)
    entities = write(tmp_path / "entities.csv", ENTITY_HEADER, entity_rows)

    first = run_import(broker_settings, agencies=agencies, entities=entities)
    assert first.ok and len(first.published) == 4
    again = run_import(broker_settings, agencies=agencies, entities=entities)
    assert again.ok and again.published == [] and again.unchanged == 4

    agency_rows[0][1] = f"东湖区市场和质量监督管理局{run}"
    entity_rows[0][5] = "0791-86000002"
    write(agencies, AGENCY_HEADER, agency_rows)
    write(entities, ENTITY_HEADER, entity_rows)
    changed = run_import(broker_settings, agencies=agencies, entities=entities)
    assert sorted(changed.published) == [
        f"AgencyChanged {agency_a}",
        f"RegulatedEntityChanged ent-imp-{run}-1",
    ]

    directory = load_directory(broker_settings)
    assert directory.agencies[agency_a].name == f"东湖区市场和质量监督管理局{run}"
    assert directory.entities[f"ent-imp-{run}-1"].sealed_name.startswith("aesgcm1:")
    assert directory.sequences[agency_a] == 2
    for _, value in read_topic(broker_settings, DIRECTORY):
        assert entity_name.encode() not in (value or b"")
        assert b"0791-86000002" not in (value or b"")

    # the running intake service learned the new agency from the live subscription
    body = {
        "channel": "letter",
        "region_code": "360102",
        "agency_id": agency_a,
        "description": "重复检查",
        "occurred_on": "2016-07-01",
        "campaign_id": world.campaign_id,
    }
    wait_for(lambda: intake.post("/tips", json=body).status_code == 201)


def test_a_malformed_row_is_reported_by_line_and_nothing_is_imported(
    broker_settings: Settings, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    good = [f"ag-bad-{run}-1", "好机关", "360102", "county", "pig_slaughter", "inspection", ""]
    rows = [
        good,
        [f"ag-bad-{run}-2", "坏机关", "360102", "city", "pig_slaughter", "inspection", ""],
        [f"ag-bad-{run}-3", "坏机关", "360102", "county", "fishing", "inspection", ""],
        [f"ag-bad-{run}-4", "坏机关", "999999", "county", "pig_slaughter", "inspection", ""],
        [f"ag-bad-{run}-1", "重复", "360102", "county", "pig_slaughter", "inspection", ""],
    ]
    agencies = write(tmp_path / "agencies.csv", AGENCY_HEADER, rows)
    report = run_import(broker_settings, agencies=agencies)
    assert not report.ok and report.published == []
    assert [e.split(":")[1] for e in report.errors] == ["3", "4", "5", "6"]
    assert "level city does not match region 360102" in report.errors[0]
    assert "duplicate id" in report.errors[3]
    assert f"ag-bad-{run}-1" not in load_directory(broker_settings).agencies


def test_cli_imports_and_reports_line_numbers(
    broker_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker_settings.kafka_bootstrap_servers)
    monkeypatch.setenv("DATA_DIR", str(broker_settings.data_dir))
    get_settings.cache_clear()
    try:
        run = uuid.uuid4().hex[:8]
        entities = write(
            tmp_path / "entities.csv",
            ENTITY_HEADER,
            [[f"ent-cli-{run}", "firm", "360102", "ag-not-registered", "某公司", ""]],
        )
        assert campaign_cli(["directory", "import", "--entities", str(entities)]) == 1
        assert f"{entities}:2: unknown agency ids: ag-not-registered" in capsys.readouterr().err
        samples = ["directory", "import"]
        for kind in ("campaigns", "agencies", "entities"):
            samples += [f"--{kind}", str(SAMPLES / f"{kind}.csv")]
        code = campaign_cli(samples)
        assert code == 0
        assert campaign_cli(samples) == 0
        assert "\n0 published, " in "\n" + capsys.readouterr().out
    finally:
        get_settings.cache_clear()


def test_demo_loads_the_samples(
    broker_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from services.intake import demo

    demo.load(broker_settings)
    assert "directory:" in capsys.readouterr().out
    directory = load_directory(broker_settings)
    assert broker_settings.default_campaign_id in directory.campaigns
    donghu = [e for e in directory.entities.values() if e.region_code == "360102"]
    assert len(donghu) >= 30
