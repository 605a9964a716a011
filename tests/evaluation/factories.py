"""Small builders shared by the evaluation tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.evaluation.domain.commands import ScheduleMeeting
from services.evaluation.domain.draw import PoolDocument
from shared.events.evaluation import AgencyUnderEvaluation, PoolEntry

AT = datetime(2017, 2, 10, 9, 0, tzinfo=UTC)


def pool_of(
    counts: dict[str, int], shared: int = 0, representatives: int = 30, reserve_size: int = 10
) -> PoolDocument:
    """Disjoint strata of the given sizes, plus ``shared`` entities regulated by all."""
    entities = [
        PoolEntry(entity_id=f"ent-{agency}-{i:03d}", agency_ids=(agency,))
        for agency, count in counts.items()
        for i in range(count)
    ]
    entities += [
        PoolEntry(entity_id=f"ent-shared-{i:03d}", agency_ids=tuple(counts)) for i in range(shared)
    ]
    return PoolDocument(
        agency_ids=tuple(counts),
        representatives=representatives,
        reserve_size=reserve_size,
        entities=tuple(entities),
    )


def schedule(
    meeting_id: str = "meet-t1",
    representatives: int = 30,
    reason: str = "",
    agencies: tuple[str, ...] = ("ag-a", "ag-b"),
    reserve_size: int = 5,
) -> ScheduleMeeting:
    return ScheduleMeeting(
        meeting_id=meeting_id,
        campaign_id="jx-test",
        region_code="360100",
        office_id="office-360100",
        agencies=tuple(
            AgencyUnderEvaluation(agency_id=a, name=a, region_code="360102") for a in agencies
        ),
        held_on=date(2017, 2, 10),
        place="南昌市政府会议室",
        representatives=representatives,
        reserve_size=reserve_size,
        min_representatives=30,
        reason_for_fewer=reason,
        at=AT,
    )
