"""Who may act on what: roles, the agency's own staff, and a legal office's region."""

from __future__ import annotations

from shared.access_policy import within_region
from shared.actors import ROLE_LABELS_ZH, Actor, Role
from shared.errors import Forbidden, NotFound


def covers(actor: Actor, region_code: str) -> bool:
    """True if ``region_code`` is the actor's region or lies below it."""
    return within_region(actor.region_code, region_code)


def require_region(actor: Actor, region_code: str) -> None:
    if not covers(actor, region_code):
        raise Forbidden(
            f"{ROLE_LABELS_ZH[actor.role]}（{actor.region_code}）无权处理辖区 {region_code} 的事项",
            f"{actor.role.value} of region {actor.region_code} may not act for region "
            f"{region_code}: it is not that region or below it",
            code="region_not_allowed",
        )


def require_agency_staff(actor: Actor, agency_id: str) -> None:
    actor.require(Role.agency_staff)
    if actor.organisation != agency_id:
        raise Forbidden(
            f"执法机关人员只能处理本机关（{actor.organisation}）的事项，"
            f"不能处理 {agency_id} 的事项",
            f"agency staff act only for their own agency ({actor.organisation}), "
            f"not for {agency_id}",
            code="agency_not_allowed",
        )


def require_office(actor: Actor, region_code: str, *roles: Role) -> None:
    """A legal office (or the given roles) of ``region_code`` or a region above it."""
    actor.require(*(roles or (Role.legal_office,)))
    require_region(actor, region_code)


def require_agency_or_office(actor: Actor, agency_id: str, region_code: str) -> None:
    if actor.role is Role.agency_staff:
        require_agency_staff(actor, agency_id)
    else:
        require_office(actor, region_code)


def not_visible(what_zh: str, what_en: str, field: str) -> NotFound:
    """The one answer for an unknown id and for one the actor may not see: it tells
    neither whether the id exists nor what state it is in."""
    return NotFound(
        f"未找到该{what_zh}，或您无权查看", f"no such {what_en}, or you may not see it", field=field
    )
