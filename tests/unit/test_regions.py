from __future__ import annotations

import pytest

from shared.regions import (
    InvalidRegionData,
    Region,
    RegionDirectory,
    RegionLevel,
    UnknownRegion,
    jiangxi,
)

CITY_CODES = {
    "360100": "南昌市",
    "360200": "景德镇市",
    "360300": "萍乡市",
    "360400": "九江市",
    "360500": "新余市",
    "360600": "鹰潭市",
    "360700": "赣州市",
    "360800": "吉安市",
    "360900": "宜春市",
    "361000": "抚州市",
    "361100": "上饶市",
}


@pytest.fixture(scope="module")
def jx() -> RegionDirectory:
    return jiangxi()


def _tiny(*extra: Region) -> list[Region]:
    return [
        Region("360000", "江西省", "Jiangxi Province", RegionLevel.PROVINCE, None),
        Region("360100", "南昌市", "Nanchang City", RegionLevel.CITY, "360000"),
        Region("360102", "东湖区", "Donghu District", RegionLevel.COUNTY, "360100"),
        *extra,
    ]


# -- packaged data --------------------------------------------------------------------


def test_counts(jx: RegionDirectory) -> None:
    assert jx.province.code == "360000"
    assert jx.province.name == "江西省"
    assert len(jx.cities()) == 11
    assert len(jx.counties()) == 100
    assert len(jx) == 1 + 11 + 100
    assert len(list(jx)) == len(jx)


def test_county_kinds_match_current_edition(jx: RegionDirectory) -> None:
    suffixes = [c.name[-1] for c in jx.counties()]
    assert suffixes.count("区") == 27
    assert suffixes.count("市") == 12
    assert suffixes.count("县") == 61


def test_cities_are_the_eleven_prefectures(jx: RegionDirectory) -> None:
    assert {c.code: c.name for c in jx.cities()} == CITY_CODES
    assert all(c.parent_code == "360000" for c in jx.cities())
    assert [c.code for c in jx.children("360000")] == sorted(CITY_CODES)


def test_every_county_sits_under_its_city(jx: RegionDirectory) -> None:
    for county in jx.counties():
        assert county.parent_code in CITY_CODES, county
        assert county.code[:4] == county.parent_code[:4], county
        assert county.code[4:] != "00", county
        assert county.name != "市辖区"


def test_codes_and_names_are_well_formed(jx: RegionDirectory) -> None:
    for region in jx:
        assert len(region.code) == 6 and region.code.isdigit()
        assert region.code.startswith("36")
        assert region.name and region.name_en
    assert len({r.code for r in jx}) == len(jx)


def test_well_known_regions(jx: RegionDirectory) -> None:
    donghu = jx.get("360102")
    assert donghu.name == "东湖区"
    assert donghu.name_en == "Donghu District"
    assert donghu.level is RegionLevel.COUNTY
    assert [r.name for r in jx.ancestors("360102")] == ["南昌市", "江西省"]
    assert jx.lineage("360102") == ["360102", "360100", "360000"]

    expected = {
        "360113": ("红谷滩区", "360100"),
        "360402": ("濂溪区", "360400"),
        "360404": ("柴桑区", "360400"),
        "360603": ("余江区", "360600"),
        "360703": ("南康区", "360700"),
        "360704": ("赣县区", "360700"),
        "360783": ("龙南市", "360700"),
        "360881": ("井冈山市", "360800"),
        "361003": ("东乡区", "361000"),
        "361103": ("广丰区", "361100"),
        "361104": ("广信区", "361100"),
    }
    for code, (name, parent) in expected.items():
        region = jx.get(code)
        assert (region.name, region.parent_code) == (name, parent)


def test_abolished_or_placeholder_codes_are_absent(jx: RegionDirectory) -> None:
    # 湾里区 (abolished 2019), 龙南县 (became 龙南市 360783), 南昌市市辖区 placeholder.
    for code in ("360105", "360727", "360101"):
        assert code not in jx


def test_jiangxi_is_cached() -> None:
    assert jiangxi() is jiangxi()


# -- hierarchy queries ----------------------------------------------------------------


def test_parent_children_descendants(jx: RegionDirectory) -> None:
    assert jx.parent("360000") is None
    parent = jx.parent("360102")
    assert parent is not None and parent.code == "360100"
    nanchang = [r.code for r in jx.children("360100")]
    assert nanchang == sorted(nanchang)
    assert "360113" in nanchang and len(nanchang) == 9
    assert jx.children("360102") == []
    assert jx.ancestors("360000") == []
    assert jx.lineage("360000") == ["360000"]

    below_province = jx.descendants("360000")
    assert len(below_province) == 111
    assert [r.code for r in below_province] == sorted(r.code for r in below_province)
    assert [r.code for r in jx.descendants("360100")] == nanchang


def test_is_within(jx: RegionDirectory) -> None:
    assert jx.is_within("360102", "360102")
    assert jx.is_within("360102", "360100")
    assert jx.is_within("360102", "360000")
    assert jx.is_within("360100", "360000")
    assert not jx.is_within("360102", "360700")
    assert not jx.is_within("360100", "360102")
    assert not jx.is_within("360000", "360100")


def test_contains(jx: RegionDirectory) -> None:
    assert "360102" in jx
    assert "999999" not in jx
    assert 360102 not in jx


# -- roll-up --------------------------------------------------------------------------


def test_roll_up_sums_counties_into_cities_and_province(jx: RegionDirectory) -> None:
    totals = jx.roll_up({"360102": 3, "360113": 4, "360703": 10, "361181": 1})
    assert totals["360102"] == 3
    assert totals["360113"] == 4
    assert totals["360100"] == 7
    assert totals["360700"] == 10
    assert totals["361100"] == 1
    assert totals["360000"] == 18
    # Only touched regions appear.
    assert "360200" not in totals


def test_roll_up_every_county_adds_to_city_and_province(jx: RegionDirectory) -> None:
    values = {c.code: 1 for c in jx.counties()}
    totals = jx.roll_up(values)
    assert totals["360000"] == 100
    for city in jx.cities():
        assert totals[city.code] == len(jx.children(city.code))
    assert sum(totals[c] for c in CITY_CODES) == totals["360000"]


def test_roll_up_includes_direct_city_values_and_floats(jx: RegionDirectory) -> None:
    totals = jx.roll_up({"360100": 1.5, "360102": 2})
    assert totals == {"360000": 3.5, "360100": 3.5, "360102": 2}
    assert jx.roll_up({}) == {}


def test_roll_up_rejects_unknown_codes(jx: RegionDirectory) -> None:
    with pytest.raises(UnknownRegion):
        jx.roll_up({"360105": 1})


# -- errors ---------------------------------------------------------------------------


def test_unknown_code_raises_clear_error(jx: RegionDirectory) -> None:
    with pytest.raises(UnknownRegion) as excinfo:
        jx.get("360105")
    assert isinstance(excinfo.value, KeyError)
    assert excinfo.value.code == "360105"
    assert "unknown region code '360105'" in str(excinfo.value)
    for call in (jx.parent, jx.children, jx.ancestors, jx.descendants, jx.lineage):
        with pytest.raises(UnknownRegion):
            call("000000")
    with pytest.raises(UnknownRegion):
        jx.is_within("360102", "000000")
    with pytest.raises(UnknownRegion):
        jx.is_within("000000", "360000")


def test_small_directory_is_valid() -> None:
    directory = RegionDirectory(_tiny())
    assert len(directory) == 3
    assert directory.province.code == "360000"


def test_rejects_orphan() -> None:
    orphan = Region("360202", "昌江区", "Changjiang District", RegionLevel.COUNTY, "360200")
    with pytest.raises(InvalidRegionData, match=r"360202 has unknown parent '360200'"):
        RegionDirectory(_tiny(orphan))


def test_rejects_duplicate() -> None:
    dup = Region("360102", "东湖区", "Donghu District", RegionLevel.COUNTY, "360100")
    with pytest.raises(InvalidRegionData, match=r"duplicate region code '360102'"):
        RegionDirectory(_tiny(dup))


def test_rejects_inconsistent_levels() -> None:
    county_under_province = Region("360199", "某县", "Some County", RegionLevel.COUNTY, "360000")
    with pytest.raises(InvalidRegionData, match="must belong to a city"):
        RegionDirectory(_tiny(county_under_province))

    city_under_city = Region("360200", "景德镇市", "Jingdezhen City", RegionLevel.CITY, "360100")
    with pytest.raises(InvalidRegionData, match="must belong to a province"):
        RegionDirectory(_tiny(city_under_city))

    city_without_parent = Region("360200", "景德镇市", "Jingdezhen City", RegionLevel.CITY, None)
    with pytest.raises(InvalidRegionData, match="has no parent"):
        RegionDirectory(_tiny(city_without_parent))


def test_rejects_missing_or_second_province_and_bad_codes() -> None:
    with pytest.raises(InvalidRegionData, match="exactly one province"):
        RegionDirectory(_tiny()[1:])
    second = Region("350000", "福建省", "Fujian Province", RegionLevel.PROVINCE, None)
    with pytest.raises(InvalidRegionData, match="exactly one province"):
        RegionDirectory(_tiny(second))
    bad = Region("3601", "南昌", "Nanchang", RegionLevel.CITY, "360000")
    with pytest.raises(InvalidRegionData, match="six digits"):
        RegionDirectory(_tiny(bad))
