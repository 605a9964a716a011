"""Ballot tokens: random and unguessable, generated outside the decider and stored
only as SHA-256 hashes."""

from __future__ import annotations

import hashlib

from shared.ids import token_urlsafe

MIN_TOKEN_LENGTH = 16


def new_token() -> str:
    """128 bits of randomness, URL-safe (fits a QR code and a typed-in slip)."""
    return token_urlsafe(16)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
