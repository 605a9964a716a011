"""Rule improvements recorded against the problems they answer, and their list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.rectification.application.app import REGULATION, RectificationApp, act, new_id
from services.rectification.application.lookups import known_items
from services.rectification.domain.access import require_agency_staff, require_region
from services.rectification.domain.reading import regulation_list_scope
from services.rectification.domain.regulations import REGULATION_PREFIX, AdoptRegulation
from shared.actors import Actor, Role
from shared.events.rectification import RegulationAdopted, RegulationKind
from shared.paging import window
from shared.regions import jiangxi, known_region


async def adopt(
    app: RectificationApp,
    actor: Actor,
    *,
    kind: RegulationKind,
    title: str,
    problem_ids: Sequence[str],
    adopted_on: date,
    summary: str = "",
    agency_id: str = "",
    region_code: str | None = None,
) -> RegulationAdopted:
    """Record a regulation: agency staff for their own agency's problems (wherever they
    lie), a legal office for problems of its region (the actor's by default)."""
    # The role and the actor's own scope first; then the problems, each judged within
    # that scope only, so none tells whether it exists outside it.
    actor.require(Role.agency_staff, Role.legal_office)
    if actor.role is Role.agency_staff:
        require_agency_staff(actor, agency_id or actor.organisation)
        agency_id = actor.organisation
        items = known_items(app, problem_ids, jiangxi().province.code, agency_id)
        region = items[0].region_code
    else:
        region = known_region(region_code or actor.region_code)
        require_region(actor, region)
        items = known_items(app, problem_ids, region)
    command = AdoptRegulation(
        actor=actor,
        regulation_id=new_id(REGULATION_PREFIX),
        campaign_id=items[0].campaign_id,
        region_code=region,
        agency_id=agency_id,
        kind=kind,
        title=title,
        summary=summary,
        problem_ids=tuple(problem_ids),
        adopted_on=adopted_on,
        at=app.now(),
    )
    adopted: RegulationAdopted = await act(
        app, REGULATION, command.regulation_id, command, actor, command
    )
    return adopted


def list_regulations(
    app: RectificationApp,
    actor: Actor,
    *,
    problem_id: str | None = None,
    agency_id: str | None = None,
    region_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[RegulationAdopted]]:
    """The regulations the actor reads, answering ``problem_id`` and of ``agency_id``
    when given: how many, and one page of them (earliest adopted first)."""
    own_agency = actor.role is Role.agency_staff
    agency, region = regulation_list_scope(actor, agency_id, region_code)
    regions = jiangxi()

    def chosen(regulation: RegulationAdopted | None) -> bool:
        if regulation is None:
            return False
        if own_agency:
            if regulation.agency_id != agency:
                return False
        else:
            if not regions.is_within(regulation.region_code, region):
                return False
            if agency is not None and regulation.agency_id != agency:
                return False
        return problem_id is None or problem_id in regulation.problem_ids

    return window(
        (r for _, r in app.store.all(REGULATION) if chosen(r)),
        key=lambda r: (r.adopted_on, r.regulation_id),
        offset=offset,
        limit=limit,
    )
