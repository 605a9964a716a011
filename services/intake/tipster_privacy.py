"""Tipsters' personal data: contact details, their words (description, agency named
as text, attachment names) and the officers' notes and findings about them, sealed
under the tip's subject key; receipt codes sealed under a key of their own
(crypto-shredding); receipt codes and idempotency keys looked up by keyed hash.

The hash key (a pepper) lives in the key store beside the subject keys, outside
Kafka, so the hashes on the topic cannot be brute-forced from the log alone."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from shared.errors import Conflict
from shared.privacy import ERASED, KeyStore, PersonalDataVault, SubjectErased

PEPPER_SUBJECT = "intake:lookup-pepper"


def contact_subject(tip_id: str) -> str:
    return tip_id


def receipt_subject(tip_id: str) -> str:
    return f"{tip_id}:receipt"


@dataclass(frozen=True)
class TipWords:
    """What the tipster wrote, as opened from ``TipReceived.sealed_text``."""

    description: str
    agency_text: str = ""
    attachment_names: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "description": self.description,
                "agency_text": self.agency_text,
                "attachment_names": list(self.attachment_names),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> TipWords:
        value = json.loads(text)
        return cls(
            description=str(value.get("description", "")),
            agency_text=str(value.get("agency_text", "")),
            attachment_names=tuple(str(n) for n in value.get("attachment_names", ())),
        )


class TipsterPrivacy:
    def __init__(self, keys: KeyStore) -> None:
        self.vault = PersonalDataVault(keys)
        pepper = keys.key_for(PEPPER_SUBJECT, create=True)
        assert pepper is not None
        self._pepper = pepper

    def lookup(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._pepper, message, hashlib.sha256).hexdigest()

    def fingerprint(self, body: dict[str, Any]) -> str:
        return self.lookup("request", json.dumps(body, sort_keys=True, ensure_ascii=False))

    def open_contact(self, tip_id: str, sealed: str) -> dict[str, str] | None:
        """The contact, or None once the tipster has been erased."""
        plain = self.vault.decrypt(contact_subject(tip_id), sealed)
        try:
            value = json.loads(plain)
        except json.JSONDecodeError:
            return None
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None

    async def seal_new_tip(
        self, tip_id: str, contact: dict[str, str] | None, receipt_code: str, words: TipWords
    ) -> tuple[str, str, str]:
        """``(sealed contact, sealed receipt, sealed words)`` of a new tip ("" for what it
        lacks): contact and words under the tip's key, the receipt under its own; the
        keys are committed with those of concurrent tips in one key-store transaction
        before this returns."""
        items = [(contact_subject(tip_id), words.to_json())]
        if contact:
            items.append((contact_subject(tip_id), json.dumps(contact, ensure_ascii=False)))
        if receipt_code:
            items.append((receipt_subject(tip_id), receipt_code))
        sealed = await self.vault.encrypt_each(items)
        sealed_words, rest = sealed[0], sealed[1:]
        sealed_contact = rest.pop(0) if contact else ""
        sealed_receipt = rest.pop(0) if receipt_code else ""
        return sealed_contact, sealed_receipt, sealed_words

    async def seal(self, tip_id: str, text: str) -> str:
        """An officer's note, reason or findings about the tip, under the tip's key
        ("" for no text)."""
        if not text.strip():
            return ""
        try:
            return (await self.vault.encrypt_each([(contact_subject(tip_id), text)]))[0]
        except SubjectErased as exc:
            raise Conflict(
                "举报人已被删除，不能再为该线索记录文字说明；请不填写说明后重试",
                "the tipster was erased: no text can be recorded on this tip any more; "
                "try again without it",
                code="erased",
            ) from exc

    def open_words(self, tip_id: str, sealed: str) -> TipWords | None:
        """The tipster's words, or None once the tipster has been erased."""
        plain = self.vault.decrypt(contact_subject(tip_id), sealed)
        return None if plain == ERASED else TipWords.from_json(plain)

    def open_note(self, tip_id: str, sealed: str) -> str | None:
        plain = self.vault.decrypt(contact_subject(tip_id), sealed)
        return None if plain == ERASED else plain

    def erase(self, tip_id: str) -> None:
        """Shred every key of the tip's tipster (idempotent)."""
        self.vault.shred(contact_subject(tip_id))
        self.vault.shred(receipt_subject(tip_id))

    def is_erased(self, tip_id: str) -> bool:
        return self.vault.is_shredded(contact_subject(tip_id))

    def open_receipt(self, tip_id: str, sealed: str) -> str:
        return self.vault.decrypt(receipt_subject(tip_id), sealed)
