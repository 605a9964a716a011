"""Roll-up: county figures add up to their city, cities to the province; rankings
honour a minimum volume."""

from __future__ import annotations

import random

from sqlalchemy import Connection, Engine

from services.reporting.readmodels import queries
from services.reporting.readmodels.figures import (
    all_figures,
    children_figures,
    load_groups,
    raw_by_region,
    region_figures,
    sum_raw,
)
from services.reporting.readmodels.projector import apply_batch
from shared.regions import RegionLevel, jiangxi
from tests.reporting.sample_events import (
    EventLog,
    item_story,
    meeting_story,
    register_agency,
    tip_story,
)

SUMMABLE = (
    "tips.total",
    "problems.total",
    "problems.category.fair",
    "items.total",
    "items.verified",
    "items.open",
    "evaluation.ballots",
    "evaluation.satisfied",
)


def _spread(engine: Engine) -> EventLog:
    """Problems, items and meetings in a random sample of counties and cities."""
    chooser = random.Random(7)
    regions = jiangxi()
    places = chooser.sample([r.code for r in regions.counties()], 12)
    places += ["360100", "360700"]  # figures attached to a city directly
    log = EventLog()
    for n, code in enumerate(places):
        agency = f"ag-roll-{code}"
        register_agency(log, agency, code, name=f"{regions.get(code).name}执法局")
        for k in range(chooser.randint(1, 3)):
            problem = tip_story(log, f"roll-{n}-{k}", agency, code)
            item_story(log, problem, agency, code, verify=k % 2 == 0)
        meeting_story(
            log, f"roll-{n}", agency, code, satisfied=chooser.randint(1, 40), dissatisfied=n % 4
        )
    apply_batch(engine, log.records())
    return log


def test_counties_add_up_to_their_city_and_cities_to_the_province(engine: Engine) -> None:
    _spread(engine)
    regions = jiangxi()
    with engine.connect() as conn:
        rolled = raw_by_region(load_groups(conn))
        province = region_figures(conn, "360000")
        for key in SUMMABLE:
            cities_total = sum(rolled.get(c.code, {}).get(key, 0) for c in regions.cities())
            assert cities_total == province.get(key, 0), key
            assert province.get(key, 0) > 0, key
        for city in regions.cities():
            city_figures = region_figures(conn, city.code)
            children = children_figures(conn, city.code)
            for key in SUMMABLE:
                # figures attached to the city itself count there as well
                below = sum(figures.get(key, 0) for figures in children.values())
                attached = _attached_to(conn, city.code, key)
                assert city_figures.get(key, 0) == below + attached, (city.code, key)


def _attached_to(conn: Connection, code: str, key: str) -> float:
    return sum_raw(load_groups(conn, region_codes=[code])).get(key, 0)


def test_rates_are_derived_from_summed_numerators(engine: Engine) -> None:
    _spread(engine)
    with engine.connect() as conn:
        province = region_figures(conn, "360000")
    assert province["evaluation.satisfaction_rate"] == round(
        province["evaluation.satisfied"] / province["evaluation.ballots"], 4
    )
    flat = all_figures(engine)
    assert flat["region/360000/problems.total"] == province["problems.total"]


def test_rankings_leave_out_small_volumes(engine: Engine) -> None:
    _spread(engine)
    with engine.connect() as conn:
        ranked, small = queries.agency_ranking(conn, "360000", "satisfaction", 30)
        cities, too_small = queries.region_ranking(
            conn, "360000", RegionLevel.CITY, "satisfaction", 30
        )
    assert all(e.volume >= 30 for e in ranked)
    assert all(e.volume < 30 for e in small)
    assert [e.rank for e in ranked] == list(range(1, len(ranked) + 1))
    values = [e.value for e in ranked]
    assert values == sorted(values, reverse=True)
    assert len(ranked) + len(small) == 14
    assert all(e.volume >= 30 for e in cities) and all(e.volume < 30 for e in too_small)
