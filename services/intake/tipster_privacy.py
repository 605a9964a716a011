"""Tipsters' personal data: contact details and receipt codes sealed per tip
(crypto-shredding), receipt codes and idempotency keys looked up by keyed hash.

The hash key (a pepper) lives in the key store beside the subject keys, outside
Kafka, so the hashes on the topic cannot be brute-forced from the log alone."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from shared.privacy import KeyStore, PersonalDataVault

PEPPER_SUBJECT = "intake:lookup-pepper"


def contact_subject(tip_id: str) -> str:
    return tip_id


def receipt_subject(tip_id: str) -> str:
    return f"{tip_id}:receipt"


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
        self, tip_id: str, contact: dict[str, str] | None, receipt_code: str
    ) -> tuple[str, str]:
        """``(sealed contact, sealed receipt)`` of a new tip ("" for what it lacks), each
        under its own subject key; the keys are committed with those of concurrent tips
        in one key-store transaction before this returns."""
        plaintexts: dict[str, str] = {}
        if contact:
            plaintexts[contact_subject(tip_id)] = json.dumps(contact, ensure_ascii=False)
        if receipt_code:
            plaintexts[receipt_subject(tip_id)] = receipt_code
        if not plaintexts:
            return "", ""
        sealed = await self.vault.encrypt_many(plaintexts)
        return (
            sealed.get(contact_subject(tip_id), ""),
            sealed.get(receipt_subject(tip_id), ""),
        )

    def open_receipt(self, tip_id: str, sealed: str) -> str:
        return self.vault.decrypt(receipt_subject(tip_id), sealed)
