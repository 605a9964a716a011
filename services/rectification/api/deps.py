"""What every route needs: the runtime, the time, the command context, read access."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.rectification.domain.access import require_region
from services.rectification.runtime import RectificationRuntime
from shared.auth import Actor, Role
from shared.errors import Forbidden
from shared.eventstore import CommandContext
from shared.ids import prefixed_id

REGION_READERS = (Role.legal_office, Role.discipline_liaison, Role.auditor, Role.admin)


def get_runtime(request: Request) -> RectificationRuntime:
    runtime: RectificationRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[RectificationRuntime, Depends(get_runtime)]


def context(actor: Actor, campaign_id: str, region_code: str) -> CommandContext:
    return CommandContext(
        actor=actor.as_extension(), campaign_id=campaign_id, region_code=region_code
    )


def require_reader_of_region(actor: Actor, region_code: str) -> None:
    """Offices, discipline liaisons, auditors and administrators read their region and
    below (``shared.access_policy``: one rule for every role, administrators included)."""
    actor.require(*REGION_READERS)
    require_region(actor, region_code)


def require_reader_of_item(actor: Actor, agency_id: str, region_code: str) -> None:
    if actor.role is Role.agency_staff:
        if actor.organisation != agency_id:
            raise Forbidden(
                "执法机关人员只能查看本机关的整改事项",
                "agency staff may read only their own agency's items",
                code="agency_not_allowed",
            )
        return
    require_reader_of_region(actor, region_code)


def new_id(prefix: str) -> str:
    return prefixed_id(prefix, 16)
