"""Who may act on a meeting and who may read it. Pure: the actor and the meeting's
region decide. Legal offices act for their own region and the regions below it;
meetings are read as the access policy says."""

from __future__ import annotations

from shared.access_policy import Resource, Target, may_read, within_region
from shared.actors import Actor, Role
from shared.errors import Forbidden, NotFound


def meeting_not_found(meeting_id: str) -> NotFound:
    """The answer for an unknown meeting, and for one the actor may not see."""
    return NotFound(
        f"未找到评议会 {meeting_id}",
        f"evaluation meeting {meeting_id} not found",
        field="meeting_id",
    )


def require_office_for(actor: Actor, region_code: str) -> None:
    """A legal affairs office acts for its own region and the regions below it."""
    actor.require(Role.legal_office)
    if not within_region(actor.region_code, region_code):
        raise Forbidden(
            f"政府法制办只能管理本辖区（{actor.region_code}）及下级的评议会",
            f"a legal office acts only for its own region ({actor.region_code}) and below",
            field="region_code",
            code="region_not_allowed",
        )


def office_reaches(actor: Actor, region_code: str) -> bool:
    """Whether the office ``actor`` acts for a meeting held in ``region_code``."""
    return within_region(actor.region_code, region_code)


def may_read_meeting(actor: Actor, region_code: str, resource: Resource = Resource.meeting) -> bool:
    """Whether ``actor`` reads a meeting of ``region_code`` as ``resource``."""
    return may_read(actor, resource, Target(region_code=region_code))
