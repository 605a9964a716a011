"""Reporting's checks, each a question to the one access policy (``shared.access_policy``):
offices and auditors see their region and below, agency staff their own agency, the
public only the published aggregates (``/public``)."""

from __future__ import annotations

from shared.access_policy import Resource, Target, may_read, require_role_for
from shared.actors import Actor
from shared.errors import Forbidden, NotFound
from shared.regions import jiangxi, known_region

# What each kind of read-model row is, in the policy's words. A kind missing here is
# shown to nobody.
KIND_RESOURCE: dict[str, Resource] = {
    "tip": Resource.tip,
    "problem": Resource.problem,
    "plan": Resource.self_inspection,
    "self_analysis": Resource.self_inspection,
    "self_inspection": Resource.self_inspection,
    "item": Resource.rectification_item,
    "case": Resource.case,
    "referral": Resource.case,
    "exposure": Resource.case,
    "accountability": Resource.case,
    "rule": Resource.regulation,
    "meeting": Resource.meeting,
    "raised_problem": Resource.meeting,
    "lookback": Resource.lookback,
    # An agency's result row exists from the tally on, before publication.
    "evaluation_result": Resource.feedback,
}


def require(actor: Actor, resource: Resource, target: Target) -> None:
    """403 unless the policy lets ``actor`` read ``resource`` at ``target`` (for regions
    and agencies, which the public directory already names)."""
    require_role_for(actor, resource)
    if not may_read(actor, resource, target):
        if target.agency_id:
            raise Forbidden(
                f"无权查看执法机关 {target.agency_id} 的数据",
                f"you may not see agency {target.agency_id}",
                code="agency_not_allowed",
                field="agency_id",
            )
        raise Forbidden(
            f"无权查看 {target.region_code} 的数据：您只能查看本级及下级行政区划",
            f"you may not see {target.region_code}: only your own region and the regions below it",
            code="region_not_allowed",
            field="region_code",
        )


def not_found_or_hidden(what: str, identifier: str, field: str) -> NotFound:
    """The one answer for an id that does not exist and an id the actor may not see:
    the two must not be told apart."""
    return NotFound(
        f"未找到 {identifier}（或您无权查看）",
        f"{what} {identifier} not found (or not yours to see)",
        field=field,
    )


def require_region(actor: Actor, region_code: str) -> None:
    known_region(region_code, refusal=NotFound)
    require(actor, Resource.region_figures, Target(region_code=region_code))


def require_agency(actor: Actor, agency_id: str, agency_region: str | None) -> None:
    """The agency's figures: agency staff of it, or an office over its region. An
    unknown agency and a forbidden one get the same 404."""
    require_role_for(actor, Resource.agency_figures)
    target = Target(region_code=agency_region or "", agency_id=agency_id)
    if agency_region is None or not may_read(actor, Resource.agency_figures, target):
        raise not_found_or_hidden("agency", agency_id, "agency_id")


def require_auditor(actor: Actor) -> None:
    """Audit replays, comparisons and the projector cover the whole province: the
    policy's ``audit_replay`` over the province's own code."""
    require(actor, Resource.audit_replay, Target(region_code=jiangxi().province.code))
