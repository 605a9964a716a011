"""Regulations without a broker: adopted by an agency for its own problems or by a
legal office for its region's, and listed within the reader's scope."""

from __future__ import annotations

from datetime import date

import pytest

from services.rectification.application import regulations
from shared.actors import Actor
from shared.errors import Forbidden, Invalid
from shared.events.rectification import RegulationKind
from tests.rectification.factories import AGENCY, CITY, REGION, liaison, office, staff
from tests.rectification.harnessed import Harness, found_problem, last

ADOPTED_ON = date(2016, 9, 1)


async def adopt(h: Harness, actor: Actor, problem_ids: list[str], **more: str) -> str:
    adopted = await regulations.adopt(
        h.app,
        actor,
        kind=RegulationKind.internal_system,
        title="罚没款管理办法",
        problem_ids=problem_ids,
        adopted_on=ADOPTED_ON,
        **more,
    )
    return adopted.regulation_id


async def test_agency_staff_adopt_one_for_their_own_problems(h: Harness) -> None:
    problem_id = await found_problem(h)
    regulation_id = await adopt(h, staff(), [problem_id])
    assert h.published_names()[-1] == "RegulationAdopted" and regulation_id.startswith("reg-")
    adopted = last(h)
    assert adopted.data["agency_id"] == AGENCY and adopted.data["region_code"] == REGION
    assert adopted.data["problem_ids"] == [problem_id]


async def test_agency_staff_may_not_adopt_for_another_agency_or_its_problems(h: Harness) -> None:
    theirs = await found_problem(h, agency_id="agency-360102-market")
    with pytest.raises(Forbidden) as other:
        await adopt(h, staff(), [theirs], agency_id="agency-360102-market")
    assert other.value.code == "agency_not_allowed"
    with pytest.raises(Invalid) as not_ours:
        await adopt(h, staff(), [theirs])
    assert not_ours.value.field == "problem_ids.0"
    assert "RegulationAdopted" not in h.published_names()


async def test_an_office_adopts_one_for_its_regions_problems(h: Harness) -> None:
    ours = await found_problem(h)
    await adopt(h, office(), [ours])
    assert last(h).data["region_code"] == CITY
    elsewhere = await found_problem(h, region_code="360702", agency_id="agency-360702")
    with pytest.raises(Invalid):
        await adopt(h, office(), [elsewhere])
    with pytest.raises(Forbidden):
        await adopt(h, liaison(), [ours])


async def test_regulations_are_listed_within_the_readers_scope(h: Harness) -> None:
    ours = await found_problem(h)
    theirs = await found_problem(h, agency_id="agency-360102-market")
    mine = await adopt(h, staff(), [ours])
    office_one = await adopt(h, office(), [theirs], agency_id="agency-360102-market")
    total, page = regulations.list_regulations(h.app, staff())
    assert (total, [r.regulation_id for r in page]) == (1, [mine])
    total, page = regulations.list_regulations(h.app, office())
    assert total == 2
    total, page = regulations.list_regulations(h.app, liaison(), problem_id=theirs)
    assert [r.regulation_id for r in page] == [office_one]
    total, _ = regulations.list_regulations(h.app, office("360700"))
    assert total == 0
    with pytest.raises(Forbidden):
        regulations.list_regulations(h.app, office(REGION), region_code=CITY)
