"""A generated directory covering the province, all 11 cities and all 100 counties,
written as the operator's CSV files and loaded with intake's importer (the same path
as ``campaign directory import``; the directory has no HTTP API). The importer is
handed in by the caller (``DirectoryImport``): the simulation imports no service."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.clock import Clock
from shared.events.directory import PhaseCode
from shared.regions import jiangxi
from shared.settings import Settings
from shared.vocabulary import Power, Sector

from .plan import Calendar

CITY_SECTORS = (Sector.market_supervision, Sector.urban_management, Sector.ecology_environment)
PROVINCE_SECTORS = (Sector.market_supervision, Sector.ecology_environment)
COUNTY_SECTORS = tuple(Sector)
SECTOR_ZH = {
    Sector.land_expropriation: "国土资源局",
    Sector.housing_demolition: "房屋征收管理办公室",
    Sector.village_town_planning: "规划局",
    Sector.urban_management: "城市管理局",
    Sector.traffic_public_order: "公安局交通管理大队",
    Sector.road_transport: "交通运输局",
    Sector.market_supervision: "市场和质量监督管理局",
    Sector.pig_slaughter: "商务局生猪屠宰管理办公室",
    Sector.health_family_planning: "卫生和计划生育委员会",
    Sector.ecology_environment: "环境保护局",
}
POWERS = {
    Sector.market_supervision: (Power.penalty, Power.inspection, Power.approval),
    Sector.urban_management: (Power.penalty, Power.coercion),
    Sector.ecology_environment: (Power.penalty, Power.inspection, Power.coercion),
    Sector.land_expropriation: (Power.levy, Power.approval),
    Sector.housing_demolition: (Power.levy, Power.coercion),
}
ENTITY_KINDS = ("individual_business", "firm", "citizen")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
TRADES = ("副食品店", "汽车修理厂", "建材经营部", "餐馆", "养殖场", "物流公司", "农资店")


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    region_code: str
    level: str
    sector: Sector


@dataclass(frozen=True)
class Entity:
    entity_id: str
    region_code: str
    agency_ids: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    agencies: tuple[Agency, ...]
    entities: tuple[Entity, ...]

    def agency(self, agency_id: str) -> Agency:
        return next(a for a in self.agencies if a.agency_id == agency_id)

    def in_region(self, region_code: str) -> list[Agency]:
        return [a for a in self.agencies if a.region_code == region_code]


def agency_id(region_code: str, sector: Sector) -> str:
    return f"ag-sim-{region_code}-{sector.value}"


def build_directory(entities_per_county: int = 6) -> Directory:
    """The same directory for every seed, so that runs on one broker share it."""
    regions = jiangxi()
    province = regions.province
    agencies = [
        Agency(agency_id(province.code, s), f"江西省{SECTOR_ZH[s]}", province.code, "province", s)
        for s in PROVINCE_SECTORS
    ]
    entities: list[Entity] = []
    for city in regions.cities():
        agencies += [
            Agency(agency_id(city.code, s), f"{city.name}{SECTOR_ZH[s]}", city.code, "city", s)
            for s in CITY_SECTORS
        ]
        for index, county in enumerate(regions.children(city.code)):
            own = COUNTY_SECTORS[(index + int(county.code)) % len(COUNTY_SECTORS)]
            sectors = dict.fromkeys((Sector.urban_management, own))
            agencies += [
                Agency(
                    agency_id(county.code, s),
                    f"{county.name}{SECTOR_ZH[s]}",
                    county.code,
                    "county",
                    s,
                )
                for s in sectors
            ]
            for n in range(entities_per_county):
                city_agency = agency_id(city.code, CITY_SECTORS[n % len(CITY_SECTORS)])
                entities.append(
                    Entity(
                        f"ent-sim-{county.code}-{n + 1:03d}",
                        county.code,
                        (agency_id(county.code, Sector.urban_management), city_agency),
                    )
                )
    return Directory(tuple(agencies), tuple(entities))


def campaign_id(calendar: Calendar) -> str:
    return f"jx-sim-{calendar.campaign_year}-fair-enforcement"


def write_csv(directory: Directory, calendar: Calendar, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.csv" for name in ("campaigns", "agencies", "entities")}
    phases = {
        f"{code.value}_{edge}": day.isoformat()
        for code in PhaseCode
        for edge, day in zip(("starts_on", "ends_on"), calendar.phase(code), strict=True)
    }
    campaign = {
        "campaign_id": campaign_id(calendar),
        "name": f"集中整治和查处行政执法不公侵害群众利益专项治理（模拟 {calendar.campaign_year}）",
        "document_no": f"赣府法办字〔{calendar.campaign_year}〕25号",
        "region_code": "360000",
        **phases,
        "triage_days": "3",
        "verification_days": "15",
        "min_representatives": "30",
    }
    _write(paths["campaigns"], [campaign])
    _write(
        paths["agencies"],
        [
            {
                "agency_id": a.agency_id,
                "name": a.name,
                "region_code": a.region_code,
                "level": a.level,
                "sector": a.sector.value,
                "powers": ";".join(p.value for p in POWERS.get(a.sector, (Power.penalty,))),
                "supervising_office": f"lo-{a.region_code}",
            }
            for a in directory.agencies
        ],
    )
    names = random.Random(2016)  # fixed: names must not change between runs
    _write(
        paths["entities"],
        [
            {
                "entity_id": e.entity_id,
                "kind": ENTITY_KINDS[i % len(ENTITY_KINDS)],
                "region_code": e.region_code,
                "agency_ids": ";".join(e.agency_ids),
                "name": f"{names.choice(SURNAMES)}记{names.choice(TRADES)}",
                "contact": f"1{names.randint(3, 9)}{names.randint(0, 999_999_999):09d}",
            }
            for i, e in enumerate(directory.entities)
        ],
    )
    return paths


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


class ImportOutcome(Protocol):
    """What an import reports (intake's ``ImportReport``)."""

    @property
    def ok(self) -> bool: ...
    @property
    def errors(self) -> Sequence[str]: ...
    @property
    def published(self) -> Sequence[str]: ...
    @property
    def unchanged(self) -> int: ...


class DirectoryImport(Protocol):
    """Validate the operator's CSV files and publish what is new or changed: intake's
    ``run_import``, as ``campaign directory import`` runs it."""

    def __call__(
        self, settings: Settings, *, campaigns: Path, agencies: Path, entities: Path, clock: Clock
    ) -> ImportOutcome: ...


def import_directory(
    run_import: DirectoryImport,
    settings: Settings,
    directory: Directory,
    calendar: Calendar,
    folder: Path,
    clock: Clock,
) -> tuple[int, int]:
    """Publish what is new or changed; returns (published, unchanged)."""
    paths = write_csv(directory, calendar, folder)
    report = run_import(settings, clock=clock, **paths)
    if not report.ok:
        raise RuntimeError("directory import failed: " + "; ".join(report.errors[:5]))
    return len(report.published), report.unchanged
