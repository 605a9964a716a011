"""Verification by legal affairs offices: substantiated (problems found, each recorded
as a ``ProblemFound``) or unsubstantiated. Findings and reasons are sealed under the
tip's key before they reach a command."""

from __future__ import annotations

from collections.abc import Sequence

from shared.actors import Actor
from shared.clock import local_date
from shared.errors import Invalid
from shared.events.intake import FoundProblem

from ..domain.commands import SubstantiateTip, UnsubstantiateTip
from ..domain.tip import VERIFICATION_ROLES, TipState
from .app import IntakeApp
from .ids import new_problem_id
from .problems import ProblemDraft, record_tip_problems
from .tips import execute_on_tip, visible_tip


async def substantiate_tip(
    app: IntakeApp,
    actor: Actor,
    tip_id: str,
    *,
    findings: str,
    problems: Sequence[ProblemDraft],
    correlation_id: str = "",
) -> TipState:
    """The tip's state after it; its problems are recorded before this returns (a
    crash in between is finished by the deadline watcher)."""
    state = visible_tip(app, actor, tip_id, *VERIFICATION_ROLES)
    now = app.clock.now()
    found = tuple(_found(app, state, i, draft) for i, draft in enumerate(problems))
    command = SubstantiateTip(
        actor=actor,
        findings=findings,
        problems=found,
        phase=app.directory.attributed_phase(state.campaign_id, local_date(now)),
        at=now,
        merged_tip_ids=tuple(app.store.merged_into.values(tip_id)),
        sealed_findings=await app.privacy.seal(tip_id, findings),
    )
    new_state = await execute_on_tip(app, actor, tip_id, command, correlation_id)
    await record_tip_problems(app, tip_id, correlation_id)
    return new_state


async def unsubstantiate_tip(
    app: IntakeApp, actor: Actor, tip_id: str, *, reason: str, correlation_id: str = ""
) -> TipState:
    visible_tip(app, actor, tip_id, *VERIFICATION_ROLES)
    sealed = await app.privacy.seal(tip_id, reason)
    command = UnsubstantiateTip(actor, reason, app.clock.now(), sealed_reason=sealed)
    return await execute_on_tip(app, actor, tip_id, command, correlation_id)


def _found(app: IntakeApp, state: TipState, index: int, draft: ProblemDraft) -> FoundProblem:
    agency_id = draft.agency_id or state.agency_id
    field = f"problems.{index}.agency_id"
    if not agency_id:
        raise Invalid(
            "该线索未指明机关，请为问题填写机关编号",
            "the tip names no agency id; give agency_id for the problem",
            field=field,
        )
    agency = app.directory.agencies.get(agency_id)
    if agency is None:
        raise Invalid(
            f"未知的执法机关编号 {agency_id}", f"unknown agency_id {agency_id}", field=field
        )
    return draft.found(new_problem_id(), agency_id, agency.region_code)
