"""Who reads which items, cases and regulations, and which of them a list covers
(``shared.access_policy``). The role is checked before anything is looked up: it
does not depend on the id."""

from __future__ import annotations

from services.rectification.domain.access import require_region
from shared.access_policy import Resource, Scope, readers_of
from shared.actors import Actor, Role
from shared.errors import Forbidden
from shared.regions import known_region

ITEM_ROLES = readers_of(Resource.rectification_item)
# Who reads a region's items, cases and regulations: the policy's region-wide readers.
REGION_READERS = readers_of(Resource.rectification_item, Scope.own_region)
CASE_READERS = readers_of(Resource.case)
REGULATION_READERS = (Role.agency_staff, *REGION_READERS)


def own_agency_only() -> Forbidden:
    return Forbidden(
        "执法机关人员只能查看本机关的整改事项",
        "agency staff may read only their own agency's items",
        code="agency_not_allowed",
    )


def require_reader_of_region(actor: Actor, region_code: str) -> None:
    """Offices, discipline liaisons, auditors and administrators read their region and
    below (``shared.access_policy``: one rule for every role, administrators included)."""
    actor.require(*REGION_READERS)
    require_region(actor, region_code)


def item_list_scope(
    actor: Actor, agency_id: str | None, region_code: str | None
) -> tuple[str | None, str | None]:
    """The (agency, region) an item list of ``actor`` covers, asked for ``agency_id``
    and ``region_code``: agency staff their own agency's items only, the others their
    region (or one below it) and any agency in it."""
    if actor.role is Role.agency_staff:
        if agency_id not in (None, actor.organisation):
            raise own_agency_only()
        return actor.organisation, region_code
    actor.require(*REGION_READERS)
    region = known_region(region_code or actor.region_code)
    require_reader_of_region(actor, region)
    return agency_id, region


def agency_list_scope(actor: Actor, agency_id: str) -> str | None:
    """The region an agency's item list of ``actor`` covers (None: anywhere, for the
    agency's own staff)."""
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise own_agency_only()
        return None
    actor.require(*REGION_READERS)
    region = known_region(actor.region_code)
    require_reader_of_region(actor, region)
    return region


def region_list_scope(actor: Actor, region_code: str) -> str:
    """A region's item list: for the region's readers (and those above it) only."""
    actor.require(*REGION_READERS)
    known_region(region_code)
    require_reader_of_region(actor, region_code)
    return region_code


def case_list_scope(actor: Actor, region_code: str | None) -> str:
    """The region a case list of ``actor`` covers: the actor's own by default."""
    actor.require(*CASE_READERS)
    region = known_region(region_code or actor.region_code)
    require_reader_of_region(actor, region)
    return region


def regulation_list_scope(
    actor: Actor, agency_id: str | None, region_code: str | None
) -> tuple[str | None, str]:
    """The (agency, region) a regulation list of ``actor`` covers: agency staff their
    own agency's, the others their region (or one below it)."""
    actor.require(*REGULATION_READERS)
    region = known_region(region_code or actor.region_code)
    if actor.role is Role.agency_staff:
        return actor.organisation, region
    require_reader_of_region(actor, region)
    return agency_id, region
