"""Jiangxi's administrative divisions (GB/T 2260 codes) and county → city → province roll-up.

Every figure the platform reports is attached to one region code and rolls up into the
regions above it.  The packaged table ``shared/data/jiangxi_regions.csv`` lists the
province, its 11 prefecture-level cities and its 100 county-level divisions; see
``shared/data/README.md`` for the source and edition.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from shared.errors import Invalid, Refusal

__all__ = [
    "InvalidRegionData",
    "Region",
    "RegionDirectory",
    "RegionLevel",
    "UnknownRegion",
    "jiangxi",
]

_DATA_PACKAGE = "shared"
_DATA_DIR = "data"
_DATA_FILE = "jiangxi_regions.csv"
_DATA_PATH = f"{_DATA_DIR}/{_DATA_FILE}"
_COLUMNS = ("code", "name", "name_en", "level", "parent_code")
_CODE_PATTERN = re.compile(r"\d{6}")


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


# The level a region's parent must have; the province has no parent.
_PARENT_LEVEL: dict[RegionLevel, RegionLevel | None] = {
    RegionLevel.PROVINCE: None,
    RegionLevel.CITY: RegionLevel.PROVINCE,
    RegionLevel.COUNTY: RegionLevel.CITY,
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str
    level: RegionLevel
    parent_code: str | None


class UnknownRegion(KeyError):
    """A region code that the directory does not contain."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown region code {self.code!r}: not a Jiangxi GB/T 2260 division"


class InvalidRegionData(ValueError):
    """The regions given to a directory do not form a province → city → county tree."""


class RegionDirectory:
    """An immutable, validated tree of regions: one province, its cities, their counties."""

    def __init__(self, regions: Iterable[Region]) -> None:
        by_code: dict[str, Region] = {}
        for region in regions:
            if not _CODE_PATTERN.fullmatch(region.code):
                raise InvalidRegionData(f"region code {region.code!r} is not six digits")
            if region.code in by_code:
                raise InvalidRegionData(f"duplicate region code {region.code!r}")
            by_code[region.code] = region

        provinces = [r for r in by_code.values() if r.level is RegionLevel.PROVINCE]
        if len(provinces) != 1:
            found = ", ".join(sorted(r.code for r in provinces)) or "none"
            raise InvalidRegionData(f"expected exactly one province, found {found}")

        children: dict[str, list[Region]] = {code: [] for code in by_code}
        for region in by_code.values():
            expected_parent_level = _PARENT_LEVEL[region.level]
            if expected_parent_level is None:
                if region.parent_code is not None:
                    raise InvalidRegionData(
                        f"province {region.code} must not have a parent "
                        f"(got {region.parent_code!r})"
                    )
                continue
            if region.parent_code is None:
                raise InvalidRegionData(f"{region.level} {region.code} has no parent")
            parent = by_code.get(region.parent_code)
            if parent is None:
                raise InvalidRegionData(
                    f"{region.level} {region.code} has unknown parent {region.parent_code!r}"
                )
            if parent.level is not expected_parent_level:
                raise InvalidRegionData(
                    f"{region.level} {region.code} must belong to a {expected_parent_level}, "
                    f"but its parent {parent.code} is a {parent.level}"
                )
            children[parent.code].append(region)

        self._by_code: dict[str, Region] = dict(sorted(by_code.items()))
        self._children: dict[str, tuple[Region, ...]] = {
            code: tuple(sorted(kids, key=lambda r: r.code)) for code, kids in children.items()
        }
        self._province = provinces[0]

    # -- lookup -------------------------------------------------------------------------

    def get(self, code: str) -> Region:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownRegion(code) from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    @property
    def province(self) -> Region:
        return self._province

    def cities(self) -> list[Region]:
        return self._at_level(RegionLevel.CITY)

    def counties(self) -> list[Region]:
        return self._at_level(RegionLevel.COUNTY)

    def _at_level(self, level: RegionLevel) -> list[Region]:
        return [r for r in self._by_code.values() if r.level is level]

    # -- hierarchy ----------------------------------------------------------------------

    def parent(self, code: str) -> Region | None:
        region = self.get(code)
        return None if region.parent_code is None else self._by_code[region.parent_code]

    def children(self, code: str) -> list[Region]:
        """Direct children, sorted by code."""
        self.get(code)
        return list(self._children[code])

    def ancestors(self, code: str) -> list[Region]:
        """Every region above ``code``, nearest first (county → city → province)."""
        result: list[Region] = []
        parent = self.parent(code)
        while parent is not None:
            result.append(parent)
            parent = self.parent(parent.code)
        return result

    def descendants(self, code: str) -> list[Region]:
        """Every region below ``code`` (children, grandchildren, ...), sorted by code."""
        self.get(code)
        result: list[Region] = []
        pending = list(self._children[code])
        while pending:
            region = pending.pop()
            result.append(region)
            pending.extend(self._children[region.code])
        return sorted(result, key=lambda r: r.code)

    def lineage(self, code: str) -> list[str]:
        """``code`` followed by its ancestors' codes: every region a figure for it rolls into."""
        return [code, *(r.code for r in self.ancestors(code))]

    def is_within(self, code: str, ancestor_code: str) -> bool:
        """True if ``code`` is ``ancestor_code`` itself or lies anywhere below it."""
        self.get(ancestor_code)
        return ancestor_code in self.lineage(code)

    def roll_up(self, values: Mapping[str, int | float]) -> dict[str, int | float]:
        """Add each region's value to itself and to every region above it.

        The result has an entry for every code in ``values`` and for each of their
        ancestors; regions with no value anywhere below them are absent.  A value given
        for a city or the province directly counts once there and in the regions above.
        Unknown codes raise :class:`UnknownRegion`.
        """
        totals: dict[str, int | float] = {}
        for code, value in values.items():
            for target in self.lineage(code):
                totals[target] = totals.get(target, 0) + value
        return dict(sorted(totals.items()))


def _load_packaged() -> list[Region]:
    resource = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR).joinpath(_DATA_FILE)
    text = resource.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InvalidRegionData(
            f"{_DATA_PATH}: expected columns {','.join(_COLUMNS)}, "
            f"got {','.join(reader.fieldnames or ())}"
        )
    regions: list[Region] = []
    for row in reader:
        try:
            level = RegionLevel(row["level"])
        except ValueError:
            raise InvalidRegionData(
                f"{_DATA_PATH} line {reader.line_num}: unknown level {row['level']!r}"
            ) from None
        regions.append(
            Region(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                level=level,
                parent_code=row["parent_code"] or None,
            )
        )
    return regions


@cache
def jiangxi() -> RegionDirectory:
    """Jiangxi province, its 11 cities and 100 county-level divisions (loaded once)."""
    return RegionDirectory(_load_packaged())


def known_region(
    region_code: str, field: str = "region_code", *, refusal: type[Refusal] = Invalid
) -> str:
    """``region_code`` if it is a Jiangxi division, else ``refusal`` naming ``field``: a
    422 for a code given as input, a ``NotFound`` where the code addresses what is read."""
    if region_code not in jiangxi():
        raise refusal(
            f"{region_code} 不是江西省的行政区划代码",
            f"{field}: {region_code} is not a Jiangxi GB/T 2260 region code",
            field=field,
        )
    return region_code
