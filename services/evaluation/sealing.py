"""The key store's part in ballot secrecy: sealing a ballot at cast, opening the box
at close, shredding the box key, unsealing comments and the representatives' sheet.
Every call runs in a worker thread: the key store is a database."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import IntegrityError

from services.evaluation.domain.ballots import box_subject, comments_subject, open_box
from shared.events.evaluation import AgencyRating, BallotContent, BoxedBallot, RaisedOnBallot
from shared.ids import token_hex
from shared.privacy import KeyStore, PersonalDataVault, UnreadableCiphertext, is_sealed

UNREADABLE = "[无法解密 unreadable]"


class BoxAlreadyShredded(RuntimeError):
    """The box key is gone: the meeting was closed meanwhile."""


def new_shuffle_seed() -> str:
    """256 bits from the OS for the order of the published batch; never recorded."""
    return token_hex(32)


class BallotSealer:
    def __init__(self, vault: PersonalDataVault, keys: KeyStore) -> None:
        self.vault = vault
        self._keys = keys

    async def prepare(self, meeting_id: str) -> None:
        """The meeting's box and comments keys, made before voting opens: casts arrive
        together, and the first ones would otherwise race to create the same key."""
        subjects = [box_subject(meeting_id), comments_subject(meeting_id)]
        await asyncio.to_thread(self._keys.keys_for_new, subjects)

    def _encrypt(self, subject: str, text: str) -> str:
        try:
            return self.vault.encrypt(subject, text)
        except IntegrityError:  # another cast created the key meanwhile: it is there now
            return self.vault.encrypt(subject, text)

    def _seal_content(self, meeting_id: str, content: BallotContent) -> BallotContent:
        subject = comments_subject(meeting_id)

        def seal(text: str) -> str:
            return self._encrypt(subject, text) if text else ""

        return BallotContent(
            ratings=tuple(
                AgencyRating(agency_id=r.agency_id, rating=r.rating, comment=seal(r.comment))
                for r in content.ratings
            ),
            comments=seal(content.comments),
            problems=tuple(
                RaisedOnBallot(agency_id=p.agency_id, description=seal(p.description))
                for p in content.problems
            ),
        )

    def _seal(
        self, meeting_id: str, token_hash: str, content: BallotContent
    ) -> tuple[BallotContent, str]:
        sealed_content = self._seal_content(meeting_id, content)
        boxed = BoxedBallot(token_hash=token_hash, content=sealed_content)
        try:
            sealed = self._encrypt(box_subject(meeting_id), boxed.model_dump_json())
        except ValueError as exc:  # the box key was shredded: the meeting has closed
            raise BoxAlreadyShredded(meeting_id) from exc
        return sealed_content, sealed

    async def seal(
        self, meeting_id: str, token_hash: str, content: BallotContent
    ) -> tuple[BallotContent, str]:
        """The content with its comments sealed, and the whole ballot sealed for the box."""
        return await asyncio.to_thread(self._seal, meeting_id, token_hash, content)

    def _open(self, meeting_id: str, records: tuple[str, ...]) -> tuple[BoxedBallot, ...]:
        subject = box_subject(meeting_id)
        return open_box(records, lambda record: self.vault.decrypt(subject, record))

    async def open(self, meeting_id: str, records: tuple[str, ...]) -> tuple[BoxedBallot, ...]:
        return await asyncio.to_thread(self._open, meeting_id, records)

    async def shred_box(self, meeting_id: str) -> None:
        """After the batch is published the per-cast records must never be read again."""
        await asyncio.to_thread(self.vault.shred, box_subject(meeting_id))

    def _unseal(self, subject: str, sealed: str) -> str:
        if not is_sealed(sealed):  # empty, or the clear text of a former BallotCast
            return sealed
        try:
            return self.vault.decrypt(subject, sealed)
        except UnreadableCiphertext:
            return UNREADABLE

    async def comments(
        self, meeting_id: str, contents: tuple[BallotContent, ...]
    ) -> tuple[dict[str, list[str]], list[str]]:
        """Per agency, and general: the comments unsealed, sorted (no ballot order)."""

        def read() -> tuple[dict[str, list[str]], list[str]]:
            subject = comments_subject(meeting_id)
            per_agency: dict[str, list[str]] = {}
            general: list[str] = []
            for content in contents:
                for rating in content.ratings:
                    if rating.comment:
                        text = self._unseal(subject, rating.comment)
                        per_agency.setdefault(rating.agency_id, []).append(text)
                if content.comments:
                    general.append(self._unseal(subject, content.comments))
            return {a: sorted(t) for a, t in per_agency.items()}, sorted(general)

        return await asyncio.to_thread(read)
