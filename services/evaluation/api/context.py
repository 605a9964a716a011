"""What every evaluation route needs: the store, the directory, the clock, and the
checks of role and region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.evaluation.directory import Directory
from services.evaluation.domain.ballots import unknown_token
from services.evaluation.domain.commands import MeetingCommand
from services.evaluation.domain.meeting import MeetingState
from services.evaluation.domain.tokens import hash_token
from services.evaluation.sealing import BallotSealer
from services.evaluation.store import EvaluationStore
from shared.access_policy import Resource, Target, may_read, require_role_for, within_region
from shared.actors import Actor, Role
from shared.clock import Clock
from shared.envelope import CloudEvent
from shared.errors import Forbidden, NotFound
from shared.eventstore import CommandContext
from shared.privacy import KeyStore, PersonalDataVault, UnreadableCiphertext
from shared.settings import Settings

MEETING = "meeting"


@dataclass
class Evaluation:
    store: EvaluationStore
    directory: Directory
    settings: Settings
    clock: Clock

    vault: PersonalDataVault | None = None
    _sealer: BallotSealer | None = None

    def _vault(self) -> PersonalDataVault:
        return self.sealer.vault

    @property
    def sealer(self) -> BallotSealer:
        """Made on first use (the key store is a database); one for the process."""
        if self._sealer is None:
            keys = KeyStore(self.settings.resolved_keystore_url)
            self.vault = self.vault or PersonalDataVault(keys)
            self._sealer = BallotSealer(self.vault, keys)
        return self._sealer

    def unseal(self, entity_id: str, what: str) -> str:
        """A representative's name or contact, decrypted (``ERASED`` once shredded).
        Only behind a recorded ``RepresentativesSheetRead``."""
        entity = self.directory.entities.get(entity_id)
        sealed = (
            ""
            if entity is None
            else (entity.sealed_name if what == "name" else entity.sealed_contact)
        )
        if not sealed:
            return ""
        try:
            return self._vault().decrypt(entity_id, sealed)
        except UnreadableCiphertext:
            return "[无法解密 unreadable]"

    def meeting(self, meeting_id: str) -> MeetingState:
        aggregate = self.store.get(MEETING, meeting_id)
        if aggregate is None or aggregate.state.scheduled is None:
            raise meeting_not_found(meeting_id)
        state: MeetingState = aggregate.state
        return state

    def readable_meeting(
        self, meeting_id: str, actor: Actor, resource: Resource = Resource.meeting
    ) -> MeetingState:
        """A meeting the access policy lets ``actor`` read as ``resource``. The role is
        checked before the look-up; an unknown meeting and one outside the actor's
        region get the same 404."""
        require_role_for(actor, resource)
        state = self.meeting(meeting_id)
        assert state.scheduled is not None
        if not may_read(actor, resource, Target(region_code=state.scheduled.region_code)):
            raise meeting_not_found(meeting_id)
        return state

    def meeting_of_token(self, token: str) -> tuple[str, MeetingState]:
        """Through the token index: one look-up, however many meetings there are."""
        meeting_id = self.store.meeting_of_token_hash(hash_token(token))
        aggregate = None if meeting_id is None else self.store.get(MEETING, meeting_id)
        if meeting_id is None or aggregate is None:
            raise unknown_token()
        state: MeetingState = aggregate.state
        return meeting_id, state

    async def execute(
        self, meeting_id: str, command: MeetingCommand, actor: str, state: MeetingState | None
    ) -> list[CloudEvent]:
        scheduled = state.scheduled if state is not None else None
        context = CommandContext(
            actor=actor,
            campaign_id=scheduled.campaign_id if scheduled else "",
            region_code=scheduled.region_code if scheduled else "",
        )
        return await self.store.execute(MEETING, meeting_id, command, context)


def office_meeting(ev: Evaluation, meeting_id: str, actor: Actor) -> MeetingState:
    """The meeting, for the legal office of its region (or above) only. The role is
    checked before the look-up; another region's meeting answers like an unknown one."""
    actor.require(Role.legal_office)
    state = ev.meeting(meeting_id)
    assert state.scheduled is not None
    if not within_region(actor.region_code, state.scheduled.region_code):
        raise meeting_not_found(meeting_id)
    return state


def meeting_not_found(meeting_id: str) -> NotFound:
    return NotFound(
        f"未找到评议会 {meeting_id}",
        f"evaluation meeting {meeting_id} not found",
        field="meeting_id",
    )


def _evaluation(request: Request) -> Evaluation:
    evaluation: Evaluation = request.app.state.evaluation
    return evaluation


EvaluationDep = Annotated[Evaluation, Depends(_evaluation)]


def require_office_for(actor: Actor, region_code: str) -> None:
    """A legal affairs office acts for its own region and the regions below it."""
    actor.require(Role.legal_office)
    if not within_region(actor.region_code, region_code):
        raise Forbidden(
            f"政府法制办只能管理本辖区（{actor.region_code}）及下级的评议会",
            f"a legal office acts only for its own region ({actor.region_code}) and below",
            field="region_code",
            code="region_not_allowed",
        )


def require_reader_for(actor: Actor, region_code: str) -> None:
    """Meetings are read as the access policy says: offices, auditors and
    administrators, each for their own region and below."""
    require_role_for(actor, Resource.meeting)
    if not may_read(actor, Resource.meeting, Target(region_code=region_code)):
        raise Forbidden(
            f"只能查看本辖区（{actor.region_code}）及下级的评议会",
            f"you may read meetings of your own region ({actor.region_code}) and below only",
            field="region_code",
            code="region_not_allowed",
        )
