"""Role and region checks shared by the deciders."""

from __future__ import annotations

from shared.auth import Actor, Role
from shared.errors import Forbidden
from shared.regions import UnknownRegion, jiangxi


def require_role(actor: Actor, *roles: Role) -> None:
    actor.require(*roles)


def require_region(actor: Actor, region_code: str) -> None:
    """The actor's region must be ``region_code`` or lie above it."""
    try:
        within = jiangxi().is_within(region_code, actor.region_code)
    except UnknownRegion:
        within = False
    if not within:
        raise Forbidden(
            f"您所在地区（{actor.region_code}）无权处理地区 {region_code} 的事项",
            f"your region ({actor.region_code}) may not act on region {region_code}",
            code="region_not_allowed",
        )
