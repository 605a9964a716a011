"""Reading the directory CSV files: every row validated, every problem reported with
its file and line number. Pure parsing: no broker, no key store."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from shared.events.directory import (
    AgencyRecord,
    CampaignRecord,
    CampaignRules,
    EntityKind,
    Phase,
    PhaseCode,
)
from shared.regions import RegionLevel, jiangxi
from shared.vocabulary import AdminLevel, Power, Sector

PHASE_NAMES_ZH = {
    PhaseCode.mobilisation: "动员部署",
    PhaseCode.finding: "查找问题",
    PhaseCode.rectification: "整改落实",
    PhaseCode.evaluation: "群众评议",
    PhaseCode.summary: "总结提高",
}
CAMPAIGN_COLUMNS = (
    "campaign_id",
    "name",
    "document_no",
    "region_code",
    *(f"{code.value}_{edge}" for code in PhaseCode for edge in ("starts_on", "ends_on")),
)
AGENCY_COLUMNS = ("agency_id", "name", "region_code", "level", "sector", "powers")
ENTITY_COLUMNS = ("entity_id", "kind", "region_code", "agency_ids", "name")
RULE_COLUMNS = tuple(CampaignRules.model_fields)

R = TypeVar("R")


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class EntityRow:
    """A regulated entity as the operator's file has it: name and contact in clear,
    to be sealed per entity before publication."""

    entity_id: str
    kind: EntityKind
    region_code: str
    agency_ids: tuple[str, ...]
    name: str
    contact: str


@dataclass
class Parsed(Generic[R]):
    path: Path
    records: list[R] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _rows(
    path: Path, required: tuple[str, ...], parsed: Parsed[Any]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        parsed.errors.append(f"{path}: cannot read: {exc}")
        return
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            parsed.errors.append(f"{path}:1: missing columns: {', '.join(missing)}")
            return
        for row in reader:
            if None in row:
                parsed.errors.append(f"{path}:{reader.line_num}: more values than columns")
                continue
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def _collect(
    path: Path,
    required: tuple[str, ...],
    build: Callable[[dict[str, str]], R],
    key: Callable[[R], str],
) -> Parsed[R]:
    parsed: Parsed[R] = Parsed(path)
    seen: dict[str, int] = {}
    for line, row in _rows(path, required, parsed):
        try:
            record = build(row)
        except RowError as exc:
            parsed.errors.append(f"{path}:{line}: {exc}")
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            parsed.errors.append(f"{path}:{line}: {where}: {first['msg']}")
            continue
        if key(record) in seen:
            parsed.errors.append(
                f"{path}:{line}: duplicate id {key(record)!r} (first on line {seen[key(record)]})"
            )
            continue
        seen[key(record)] = line
        parsed.records.append(record)
    return parsed


def _region(code: str) -> str:
    if code not in jiangxi():
        raise RowError(f"region_code {code!r} is not a Jiangxi GB/T 2260 division")
    return code


def _date(row: dict[str, str], column: str) -> date:
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        raise RowError(f"{column} {row[column]!r} is not a date (YYYY-MM-DD)") from None


def campaign_from_row(row: dict[str, str]) -> CampaignRecord:
    phases: list[Phase] = []
    for number, code in enumerate(PhaseCode, start=1):
        starts, ends = _date(row, f"{code.value}_starts_on"), _date(row, f"{code.value}_ends_on")
        if ends < starts:
            raise RowError(f"phase {code.value} ends before it starts")
        if phases and starts <= phases[-1].ends_on:
            raise RowError(f"phase {code.value} starts before phase {phases[-1].code.value} ends")
        phases.append(
            Phase(
                number=number,
                code=code,
                name_zh=PHASE_NAMES_ZH[code],
                starts_on=starts,
                ends_on=ends,
            )
        )
    rules = {name: row[name] for name in RULE_COLUMNS if row.get(name)}
    if not row["campaign_id"] or not row["name"]:
        raise RowError("campaign_id and name must not be empty")
    return CampaignRecord(
        campaign_id=row["campaign_id"],
        name=row["name"],
        document_no=row["document_no"],
        region_code=_region(row["region_code"]),
        phases=tuple(phases),
        rules=CampaignRules.model_validate(rules),
    )


_LEVEL_OF_REGION = {
    RegionLevel.PROVINCE: AdminLevel.province,
    RegionLevel.CITY: AdminLevel.city,
    RegionLevel.COUNTY: AdminLevel.county,
}


def agency_from_row(row: dict[str, str]) -> AgencyRecord:
    if not row["agency_id"] or not row["name"]:
        raise RowError("agency_id and name must not be empty")
    region = _region(row["region_code"])
    try:
        level = AdminLevel(row["level"])
        sector = Sector(row["sector"])
        powers = tuple(Power(p.strip()) for p in row["powers"].split(";") if p.strip())
    except ValueError as exc:
        raise RowError(str(exc)) from None
    if level is not _LEVEL_OF_REGION[jiangxi().get(region).level]:
        raise RowError(f"level {level.value} does not match region {region}")
    if not powers:
        raise RowError("powers must list at least one of " + ", ".join(p.value for p in Power))
    return AgencyRecord(
        agency_id=row["agency_id"],
        name=row["name"],
        region_code=region,
        level=level,
        sector=sector,
        powers=powers,
        supervising_office=row.get("supervising_office", ""),
    )


def entity_from_row(row: dict[str, str], known_agencies: set[str]) -> EntityRow:
    if not row["entity_id"] or not row["name"]:
        raise RowError("entity_id and name must not be empty")
    try:
        kind = EntityKind(row["kind"])
    except ValueError as exc:
        raise RowError(str(exc)) from None
    agency_ids = tuple(a.strip() for a in row["agency_ids"].split(";") if a.strip())
    if not agency_ids:
        raise RowError("agency_ids must list at least one agency")
    unknown = [a for a in agency_ids if a not in known_agencies]
    if unknown:
        raise RowError(f"unknown agency ids: {', '.join(unknown)}")
    return EntityRow(
        entity_id=row["entity_id"],
        kind=kind,
        region_code=_region(row["region_code"]),
        agency_ids=agency_ids,
        name=row["name"],
        contact=row.get("contact", ""),
    )


def read_campaigns(path: Path) -> Parsed[CampaignRecord]:
    return _collect(path, CAMPAIGN_COLUMNS, campaign_from_row, lambda r: r.campaign_id)


def read_agencies(path: Path) -> Parsed[AgencyRecord]:
    return _collect(path, AGENCY_COLUMNS, agency_from_row, lambda r: r.agency_id)


def read_entities(path: Path, known_agencies: set[str]) -> Parsed[EntityRow]:
    return _collect(
        path,
        ENTITY_COLUMNS,
        lambda row: entity_from_row(row, known_agencies),
        lambda r: r.entity_id,
    )
