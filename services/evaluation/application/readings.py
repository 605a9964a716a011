"""Recorded readings: the representatives' names and contacts, the ballot comments.
Each is unsealed only after its ``…Read`` event (who, which office, why) is
acknowledged by the log; a plain sheet shows pseudonymous ids only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from services.evaluation.application.app import EvaluationApp
from services.evaluation.domain.commands import ReadBallotComments, ReadRepresentatives
from services.evaluation.domain.state import MeetingState
from services.evaluation.domain.tally import legacy_valid
from services.evaluation.sealing import UNREADABLE
from shared.access_policy import Resource
from shared.actors import Actor
from shared.privacy import UnreadableCiphertext


class SheetLine(BaseModel):
    """One representative on the check-in sheet; ``name`` and ``contact`` are empty
    unless the reading was recorded."""

    model_config = ConfigDict(frozen=True)

    position: int
    entity_id: str
    name: str = ""
    contact: str = ""
    replaces: str | None = None
    attended: bool | None = None


@dataclass(frozen=True)
class Comments:
    """The comments unsealed: per agency and general, each sorted (no ballot order)."""

    per_agency: dict[str, list[str]]
    general: list[str]


def representatives(app: EvaluationApp, actor: Actor, meeting_id: str) -> list[SheetLine]:
    """The sheet with pseudonymous ids only, for a reader of the sheet."""
    state = app.readable_meeting(meeting_id, actor, Resource.representatives_sheet)
    return _sheet(app, state, names=False)


async def read_representatives(
    app: EvaluationApp, actor: Actor, meeting_id: str, purpose: str
) -> list[SheetLine]:
    """Recorded as ``RepresentativesSheetRead`` (who, for which office, for what
    purpose) before anything is unsealed."""
    state = await _recorded(app, actor, meeting_id, ReadRepresentatives, purpose)
    return await asyncio.to_thread(_sheet, app, state, True)


async def read_comments(
    app: EvaluationApp, actor: Actor, meeting_id: str, purpose: str
) -> Comments:
    """Comments are sealed in the published batch; each reading is recorded as
    ``BallotCommentsRead`` first."""
    state = await _recorded(app, actor, meeting_id, ReadBallotComments, purpose)
    contents = state.opened.ballots if state.opened is not None else ()
    legacy = tuple(legacy_valid(state.legacy_casts, state.spoiled_hashes))
    per_agency, general = await app.sealer.comments(meeting_id, (*contents, *legacy))
    return Comments(per_agency=per_agency, general=general)


async def _recorded(
    app: EvaluationApp,
    actor: Actor,
    meeting_id: str,
    reading: type[ReadRepresentatives | ReadBallotComments],
    purpose: str,
) -> MeetingState:
    """The office's meeting, once the actor's reading of it is recorded."""
    state = app.office_meeting(meeting_id, actor)
    command = reading(
        reader=actor.as_extension(),
        office_id=actor.organisation,
        purpose=purpose,
        at=app.clock.now(),
    )
    await app.execute(meeting_id, command, actor.as_extension(), state)
    return state


def _sheet(app: EvaluationApp, state: MeetingState, names: bool) -> list[SheetLine]:
    replaced = {r.replacement_entity_id: r.declined_entity_id for r in state.replacements}
    attended = set(state.attendance.attendee_entity_ids) if state.attendance else None
    return [
        SheetLine(
            position=position,
            entity_id=entity_id,
            name=_unseal(app, entity_id, "name") if names else "",
            contact=_unseal(app, entity_id, "contact") if names else "",
            replaces=replaced.get(entity_id),
            attended=None if attended is None else entity_id in attended,
        )
        for position, entity_id in enumerate(state.representatives, start=1)
    ]


def _unseal(app: EvaluationApp, entity_id: str, what: str) -> str:
    """A representative's name or contact, decrypted (``ERASED`` once shredded)."""
    entity = app.directory.entities.get(entity_id)
    sealed = (
        "" if entity is None else (entity.sealed_name if what == "name" else entity.sealed_contact)
    )
    if not sealed:
        return ""
    try:
        return app.sealer.vault.decrypt(entity_id, sealed)
    except UnreadableCiphertext:
        return UNREADABLE
