"""The tipster's sealed data: contact and words are read only after the reading is
recorded; erasure is recorded first and then the tipster's keys are shredded."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared.actors import Actor

from ..domain.commands import DecryptContact, DecryptText, EraseContact
from ..domain.tip import TEXT_ROLES
from ..tipster_privacy import TipWords
from .app import IntakeApp
from .tips import execute_on_tip, visible_tip


@dataclass(frozen=True)
class OpenedText:
    """The tipster's words and the officers' notes still readable, oldest first, each
    ``(kind, text)`` (kind: accepted, assigned, rejected, transferred …)."""

    tip_id: str
    words: TipWords
    notes: tuple[tuple[str, str], ...] = ()


async def decrypt_text(
    app: IntakeApp, actor: Actor, tip_id: str, *, purpose: str, correlation_id: str = ""
) -> OpenedText:
    """``TipTextDecrypted`` (reader, office, region, purpose) is recorded, then the
    words are opened."""
    visible_tip(app, actor, tip_id, *TEXT_ROLES)
    command = DecryptText(actor, purpose, app.clock.now())
    state = await execute_on_tip(app, actor, tip_id, command, correlation_id)
    return await asyncio.to_thread(_open, app, tip_id, state.sealed_text, state.sealed_notes)


def _open(
    app: IntakeApp, tip_id: str, sealed: str, notes: tuple[tuple[str, str], ...]
) -> OpenedText:
    words = app.privacy.open_words(tip_id, sealed) if sealed else None
    opened = ((kind, app.privacy.open_note(tip_id, text)) for kind, text in notes)
    return OpenedText(
        tip_id=tip_id,
        words=words or TipWords(description=""),
        notes=tuple((kind, text) for kind, text in opened if text is not None),
    )


async def decrypt_contact(
    app: IntakeApp, actor: Actor, tip_id: str, *, purpose: str, correlation_id: str = ""
) -> dict[str, str] | None:
    """``ContactDecrypted`` is recorded, then the contact opened (None once erased)."""
    command = DecryptContact(actor, purpose, app.clock.now())
    state = await execute_on_tip(app, actor, tip_id, command, correlation_id)
    return await asyncio.to_thread(app.privacy.open_contact, tip_id, state.sealed_contact)


async def erase_contact(
    app: IntakeApp, actor: Actor, tip_id: str, *, reason: str, correlation_id: str = ""
) -> None:
    """``ContactErased`` is recorded, then the keys are shredded; a crash between the
    two leaves the tip on the work list ``finish_erasures`` empties."""
    command = EraseContact(actor, reason, app.clock.now())
    await execute_on_tip(app, actor, tip_id, command, correlation_id)
    await finish_erasures(app)


async def finish_erasures(app: IntakeApp) -> int:
    """Shred the keys of tipsters whose erasure is recorded: the event is published
    first, so a crash before the shredding leaves the tip on this work list, and the
    next pass shreds it. Shredding twice changes nothing."""
    shredded = 0
    for tip_id in app.store.tips_to_erase.members():
        await asyncio.to_thread(app.privacy.erase, tip_id)
        app.store.tips_to_erase.discard(tip_id)
        shredded += 1
    return shredded
