"""The evaluation application: what its command handlers share (the kernel, the
directory view, the ballot sealer), and the look-ups and checks every handler
starts with."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from services.evaluation.directory import Directory
from services.evaluation.domain.access import (
    may_read_meeting,
    meeting_not_found,
    office_reaches,
)
from services.evaluation.domain.ballots import unknown_token
from services.evaluation.domain.commands import MeetingCommand, ScheduleMeeting
from services.evaluation.domain.state import MeetingState
from services.evaluation.domain.tokens import hash_token
from services.evaluation.sealing import BallotSealer
from services.evaluation.store import MEETING, EvaluationStore
from shared.access_policy import Resource, require_role_for
from shared.actors import Actor, Role
from shared.envelope import CloudEvent
from shared.eventstore import CommandContext
from shared.kernel.kernel import KernelApp
from shared.privacy import KeyStore, PersonalDataVault


@dataclass
class EvaluationApp(KernelApp):
    directory: Directory = field(default_factory=Directory)

    @cached_property
    def sealer(self) -> BallotSealer:
        """Made on first use, one for the process: the key store is a database, which
        a process that never seals a ballot need not open."""
        keys = KeyStore(self.settings.resolved_keystore_url)
        return BallotSealer(PersonalDataVault(keys), keys)

    @property
    def store(self) -> EvaluationStore:
        store = self.kernel.store
        assert isinstance(store, EvaluationStore)
        return store

    # -- finding a meeting -----------------------------------------------------------

    def meeting(self, meeting_id: str) -> MeetingState:
        """A scheduled meeting, or the 404 of an unknown one."""
        state = self.stored(meeting_id)
        if state is None:
            raise meeting_not_found(meeting_id)
        return state

    def stored(self, meeting_id: str) -> MeetingState | None:
        aggregate = self.store.get(MEETING, meeting_id)
        if aggregate is None or aggregate.state.scheduled is None:
            return None
        state: MeetingState = aggregate.state
        return state

    def meeting_of_token(self, token: str) -> tuple[str, MeetingState]:
        """Through the token index: one look-up, however many meetings there are."""
        meeting_id = self.store.meeting_of_token_hash(hash_token(token))
        state = None if meeting_id is None else self.stored(meeting_id)
        if meeting_id is None or state is None:
            raise unknown_token()
        return meeting_id, state

    def readable_meeting(
        self, meeting_id: str, actor: Actor, resource: Resource = Resource.meeting
    ) -> MeetingState:
        """A meeting the access policy lets ``actor`` read as ``resource``. The role is
        checked before the look-up; an unknown meeting and one outside the actor's
        region get the same 404."""
        require_role_for(actor, resource)
        state = self.meeting(meeting_id)
        assert state.scheduled is not None
        if not may_read_meeting(actor, state.scheduled.region_code, resource):
            raise meeting_not_found(meeting_id)
        return state

    def office_meeting(self, meeting_id: str, actor: Actor) -> MeetingState:
        """The meeting, for the legal office of its region (or above) only. The role is
        checked before the look-up; another region's meeting answers like an unknown one."""
        actor.require(Role.legal_office)
        state = self.meeting(meeting_id)
        assert state.scheduled is not None
        if not office_reaches(actor, state.scheduled.region_code):
            raise meeting_not_found(meeting_id)
        return state

    # -- deciding --------------------------------------------------------------------

    async def execute(
        self, meeting_id: str, command: MeetingCommand, actor: str, state: MeetingState | None
    ) -> list[CloudEvent]:
        """Decide ``command`` for the meeting; its envelopes carry the meeting's
        campaign and region (those of the command that schedules it, at first)."""
        scheduled = state.scheduled if state is not None else None
        if isinstance(command, ScheduleMeeting):
            campaign_id, region_code = command.campaign_id, command.region_code
        elif scheduled is not None:
            campaign_id, region_code = scheduled.campaign_id, scheduled.region_code
        else:
            campaign_id, region_code = "", ""
        context = CommandContext(actor=actor, campaign_id=campaign_id, region_code=region_code)
        return await self.store.execute(MEETING, meeting_id, command, context)
