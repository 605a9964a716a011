"""Who may see what: auditors and administrators see everything; offices see their
region and below; agency staff see their own agency; the public sees only the
published aggregates (``/public``)."""

from __future__ import annotations

from shared.auth import Actor, Role
from shared.errors import Forbidden, NotFound
from shared.regions import UnknownRegion, jiangxi

SEE_ALL = (Role.auditor, Role.admin)
REGION_SCOPED = (Role.legal_office, Role.discipline_liaison, Role.intake_officer)
INTERNAL = (*SEE_ALL, *REGION_SCOPED, Role.agency_staff)


def known_region(code: str) -> str:
    try:
        jiangxi().get(code)
    except UnknownRegion:
        raise NotFound(
            f"未知的行政区划代码 {code}",
            f"unknown region code {code}",
            field="region_code",
        ) from None
    return code


def _outside(region_code: str, actor: Actor) -> Forbidden:
    return Forbidden(
        f"无权查看 {region_code} 的数据：您只能查看本级及下级行政区划",
        f"you may not see {region_code}: only your own region and the regions below it",
        code="region_not_allowed",
        field="region_code",
    )


def require_region(actor: Actor, region_code: str) -> None:
    known_region(region_code)
    actor.require(*SEE_ALL, *REGION_SCOPED)
    if actor.role in SEE_ALL:
        return
    if actor.region_code not in jiangxi() or not jiangxi().is_within(
        region_code, actor.region_code
    ):
        raise _outside(region_code, actor)


def require_agency(actor: Actor, agency_id: str, agency_region: str | None) -> None:
    actor.require(*INTERNAL)
    if actor.role in SEE_ALL:
        return
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise Forbidden(
                "执法机关人员只能查看本机关的数据",
                "agency staff may only see their own agency",
                code="agency_not_allowed",
                field="agency_id",
            )
        return
    if agency_region is None:
        raise NotFound(f"未找到执法机关 {agency_id}", f"agency {agency_id} not found")
    require_region(actor, agency_region)


def require_auditor(actor: Actor) -> None:
    actor.require(*SEE_ALL)
