"""Role and region checks shared by the deciders.

Authorization comes before existence: an actor who may not see a tip gets the very
answer an unknown tip id gets (``no_such_tip``), so a refusal never tells whether an
id exists or what state it is in."""

from __future__ import annotations

from shared.access_policy import within_region
from shared.actors import Actor, Role
from shared.errors import Forbidden, NotFound

NO_SUCH_TIP_ZH = "未找到该线索，或您无权查看该线索"
NO_SUCH_TIP_EN = "no such tip, or you may not see it"


def require_role(actor: Actor, *roles: Role) -> None:
    actor.require(*roles)


def covers(actor: Actor, region_code: str) -> bool:
    """True if ``region_code`` is the actor's region or lies below it."""
    return within_region(actor.region_code, region_code)


def may_see(actor: Actor, region_code: str, handling_region_code: str) -> bool:
    """An officer sees the tips of their region and below, and those escalated or
    transferred to it."""
    return covers(actor, handling_region_code) or covers(actor, region_code)


def no_such_tip(field: str = "tip_id") -> NotFound:
    """The one answer for an unknown tip and for a tip the actor may not see."""
    return NotFound(NO_SUCH_TIP_ZH, NO_SUCH_TIP_EN, field=field, code="not_found")


def require_region(actor: Actor, region_code: str) -> None:
    """The actor's region must be ``region_code`` or lie above it."""
    if not covers(actor, region_code):
        raise Forbidden(
            f"您所在地区（{actor.region_code}）无权处理地区 {region_code} 的事项",
            f"your region ({actor.region_code}) may not act on region {region_code}",
            code="region_not_allowed",
        )
