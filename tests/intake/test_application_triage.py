"""Staff reading tips and triaging them, without a broker: the role first, one answer
for an unknown tip and one out of reach, the region's queue, accept, reject, merge,
assign and transfer (notes sealed under the tip's key)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.intake.application.tips import get_tip, list_tips
from services.intake.application.triage import (
    accept_tip,
    assign_tip,
    merge_tip,
    reject_tip,
    transfer_tip,
)
from services.intake.domain.tip import TipStatus
from shared.actors import Role
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.privacy import is_sealed

from .fakes import OFFICER, Desk, actor

NEIGHBOUR = actor(Role.intake_officer, "360103")  # another county of the same city
CITY = actor(Role.intake_officer, "360100")


async def test_a_tip_is_read_by_the_region_and_above(desk: Desk) -> None:
    tip_id = await desk.tip()
    assert (await get_tip(desk.app, OFFICER, tip_id)).state.status is TipStatus.received
    assert (await get_tip(desk.app, CITY, tip_id)).tip_id == tip_id
    with pytest.raises(NotFound) as elsewhere:
        await get_tip(desk.app, NEIGHBOUR, tip_id)
    with pytest.raises(NotFound) as unknown:
        await get_tip(desk.app, OFFICER, "tip-unknown")
    assert elsewhere.value.as_detail() == unknown.value.as_detail()
    assert unknown.value.field == "tip_id"


async def test_the_role_is_checked_before_the_tip_is_looked_up(desk: Desk) -> None:
    with pytest.raises(Forbidden) as refused:
        await get_tip(desk.app, actor(Role.agency_staff, "360102"), "tip-unknown")
    assert refused.value.code == "role_not_allowed" and refused.value.zh


async def test_the_queue_lists_open_tips_first_and_pages(desk: Desk) -> None:
    first = await desk.tip()
    desk.clock.advance(timedelta(minutes=1))
    second = await desk.tip()
    desk.clock.advance(timedelta(minutes=1))
    third = await desk.tip(region_code="360103")
    await reject_tip(desk.app, OFFICER, first, reason="不属于本专项")
    total, page = await list_tips(desk.app, CITY)
    assert total == 3 and [s.tip_id for s in page] == [second, third, first]
    total, page = await list_tips(desk.app, CITY, offset=1, limit=1)
    assert total == 3 and [s.tip_id for s in page] == [third]
    assert (await list_tips(desk.app, OFFICER))[0] == 2  # 360103's is not in reach
    total, page = await list_tips(desk.app, CITY, region_code="360103")
    assert [s.tip_id for s in page] == [third]
    total, page = await list_tips(desk.app, CITY, status=TipStatus.rejected)
    assert [s.tip_id for s in page] == [first]
    with pytest.raises(Invalid) as refused:
        await list_tips(desk.app, CITY, region_code="110101")
    assert refused.value.field == "region_code"
    with pytest.raises(Forbidden):
        await list_tips(desk.app, actor(Role.public, "360102"))


async def test_accepting_seals_the_note_and_sets_the_verification_deadline(desk: Desk) -> None:
    tip_id = await desk.tip()
    seen = await accept_tip(desk.app, OFFICER, tip_id, note="请核查票据", correlation_id="c-9")
    assert seen.state.status is TipStatus.accepted
    accepted = desk.last("TipAccepted")
    assert is_sealed(accepted["sealed_note"]) and "票据" not in str(accepted)
    assert seen.state.verification_due_at is not None
    assert seen.state.verification_due_at > desk.clock.now()
    assert desk.events("TipAccepted")[0].correlationid == "c-9"
    with pytest.raises(Conflict):
        await accept_tip(desk.app, OFFICER, tip_id)
    assert desk.types() == ["TipReceived", "TipAccepted"]


async def test_only_an_intake_officer_of_the_region_triages(desk: Desk) -> None:
    tip_id = await desk.tip()
    with pytest.raises(Forbidden):
        await accept_tip(desk.app, actor(Role.legal_office, "360102"), tip_id)
    with pytest.raises(NotFound):
        await accept_tip(desk.app, NEIGHBOUR, tip_id)
    assert desk.types() == ["TipReceived"]


async def test_rejecting_refers_the_tip_with_a_sealed_reason(desk: Desk) -> None:
    tip_id = await desk.tip()
    seen = await reject_tip(desk.app, OFFICER, tip_id, reason="属于法院", referred_to="东湖区法院")
    assert seen.state.status is TipStatus.rejected and seen.state.referred_to == "东湖区法院"
    rejected = desk.last("TipRejected")
    assert is_sealed(rejected["sealed_reason"]) and rejected["referred_to"] == "东湖区法院"
    with pytest.raises(Invalid) as blank:
        await reject_tip(desk.app, OFFICER, await desk.tip(), reason="  ")
    assert blank.value.field == "reason"


async def test_a_merged_duplicate_is_shown_only_to_who_may_see_it(desk: Desk) -> None:
    target = await desk.tip()
    duplicate = await desk.tip()
    merged = await merge_tip(desk.app, OFFICER, duplicate, into_tip_id=target)
    assert merged.state.status is TipStatus.merged and merged.state.merged_into == target
    assert desk.last("TipMerged")["into_tip_id"] == target
    assert (await get_tip(desk.app, OFFICER, target)).merged_tips == (duplicate,)
    # A tip the merging officer may not see is no target: the answer for an unknown id.
    out_of_reach = await desk.tip(region_code="360103")
    with pytest.raises(NotFound) as refused:
        await merge_tip(desk.app, OFFICER, target, into_tip_id=out_of_reach)
    assert refused.value.field == "into_tip_id"
    with pytest.raises(NotFound):
        await merge_tip(desk.app, OFFICER, target, into_tip_id="tip-unknown")
    with pytest.raises(Invalid):
        await merge_tip(desk.app, OFFICER, target, into_tip_id=target)


async def test_assigning_names_the_assignee(desk: Desk) -> None:
    tip_id = await desk.tip()
    seen = await assign_tip(desk.app, OFFICER, tip_id, assignee="lo-360102", note="限期核查")
    assert seen.state.status is TipStatus.assigned and seen.state.assignee == "lo-360102"
    assigned = desk.last("TipAssigned")
    assert assigned["assignee"] == "lo-360102" and is_sealed(assigned["sealed_note"])


async def test_transferring_hands_the_tip_to_another_region(desk: Desk) -> None:
    tip_id = await desk.tip()
    seen = await transfer_tip(desk.app, OFFICER, tip_id, to_region_code="360103", reason="属地")
    assert seen.state.handling_region_code == "360103"
    transferred = desk.last("TipTransferred")
    assert transferred["from_region_code"] == "360102"
    assert transferred["to_region_code"] == "360103" and is_sealed(transferred["sealed_reason"])
    assert (await get_tip(desk.app, NEIGHBOUR, tip_id)).tip_id == tip_id  # now in its reach
    with pytest.raises(Invalid) as same:
        await transfer_tip(desk.app, NEIGHBOUR, tip_id, to_region_code="360103", reason="再转")
    assert same.value.field == "to_region_code"
