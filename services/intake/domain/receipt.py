"""Receipt codes: random, read easily over a phone, with a check character.

The alphabet leaves out 0/O, 1/I/L; with 31 symbols (a prime) a weighted check
character catches every single wrong symbol and every swap of two neighbours."""

from __future__ import annotations

from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BODY_LENGTH = 12
GROUP = 4
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    total = sum((position + 1) * _VALUE[symbol] for position, symbol in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_receipt_code(random_below: Callable[[int], int]) -> str:
    """``random_below`` is ``shared.ids.random_below`` in production (randomness is
    injected)."""
    body = "".join(ALPHABET[random_below(len(ALPHABET))] for _ in range(BODY_LENGTH))
    return format_code(body + check_character(body))


def format_code(compact: str) -> str:
    """``ABCD-EFGH-JKMN-P``: groups of four, the check character last."""
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def normalise(code: str) -> str:
    """Upper-case, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").upper()


def is_well_formed(code: str) -> bool:
    """Right length, right alphabet and a matching check character."""
    compact = normalise(code)
    if len(compact) != BODY_LENGTH + 1 or any(symbol not in _VALUE for symbol in compact):
        return False
    return check_character(compact[:-1]) == compact[-1]
