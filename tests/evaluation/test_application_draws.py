"""The published pool and draw without a broker, their verification (recorded, and
from a body anyone may send, in the worker process), and the directory view the
service declares on the directory topic."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from services.evaluation.application import draws, meetings, verifier
from services.evaluation.domain.draw import draw
from shared.errors import Conflict, Invalid, NotFound
from shared.events.directory import AgencyChanged
from shared.topics import DIRECTORY
from tests.evaluation.directory_data import envelope
from tests.evaluation.factories import pool_of
from tests.evaluation.steps import Harness, new_meeting, office, with_directory

RANDOMNESS = "2017-02-05 福彩 035: 3 8 1"


async def test_the_pool_and_draw_are_published_and_verified_against_each_other(
    h: Harness,
) -> None:
    fixture = await with_directory(h)
    by = office()
    await meetings.schedule_meeting(h.app, by, new_meeting(fixture, meeting_id="meet-d1"))
    for read in (draws.frozen_pool, draws.recorded_draw, draws.verify_recorded_draw):
        with pytest.raises(Conflict) as early:
            read(h.app, "meet-d1")
        assert early.value.code == "wrong_status"
        with pytest.raises(NotFound):
            read(h.app, "meet-none")
    await meetings.freeze_pool(h.app, by, "meet-d1")
    pool = draws.frozen_pool(h.app, "meet-d1")
    assert len(pool.entities) == len(fixture.entity_ids)
    await meetings.draw_representatives(h.app, by, "meet-d1", RANDOMNESS, "福彩")
    drawn = draws.recorded_draw(h.app, "meet-d1")
    assert drawn.pool_hash == pool.pool_hash and drawn.randomness == RANDOMNESS
    verification = draws.verify_recorded_draw(h.app, "meet-d1")
    assert verification.matches is True and verification.first_difference is None
    assert verification.recomputed.representatives == drawn.representatives


async def test_a_draw_sent_by_anyone_is_recomputed_in_the_worker() -> None:
    pool = pool_of({"ag-a": 8, "ag-b": 5}, representatives=4, reserve_size=2)
    expected = draw(pool, RANDOMNESS).model_dump(mode="json")
    body = {"pool": pool.model_dump(mode="json"), "randomness": RANDOMNESS, "expected": expected}
    verification = await verifier.verify_draw(json.dumps(body).encode())
    assert verification.matches is True
    other = await verifier.verify_draw(json.dumps({**body, "randomness": "7"}).encode())
    assert other.matches is False and other.first_difference
    with pytest.raises(Invalid) as unknown:
        await verifier.verify_draw(json.dumps({**body, "algorithm": "v9"}).encode())
    assert unknown.value.field == "algorithm"
    with pytest.raises(verifier.MalformedRequest) as malformed:
        await verifier.verify_draw(json.dumps({"pool": body["pool"]}).encode())
    assert [e["loc"] for e in malformed.value.errors] == [("body", "randomness")]


async def test_the_directory_view_follows_agencies_as_they_change(h: Harness) -> None:
    fixture = await with_directory(h)
    agency_id = next(iter(fixture.agencies))
    moved = h.app.directory.agencies[agency_id].model_copy(update={"region_code": "360200"})
    changed = envelope(agency_id, AgencyChanged(agency=moved)).model_copy(update={"sequence": 2})
    await h.deliver(DIRECTORY, [changed, changed])  # a re-delivery changes nothing more
    assert h.app.directory.agencies[agency_id].region_code == "360200"
    with pytest.raises(Invalid) as outside:
        await meetings.schedule_meeting(h.app, office(), new_meeting(fixture))
    assert outside.value.field == "agency_ids" and agency_id in outside.value.en


@pytest.fixture(autouse=True, scope="module")
def _stop_the_worker() -> Iterator[None]:
    yield
    verifier.WORKER.close()
