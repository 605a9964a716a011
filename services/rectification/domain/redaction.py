"""Mechanical redaction of a public summary: identifiers that must never be published."""

from __future__ import annotations

import re

REDACTED = "[已隐去/redacted]"

_PATTERNS = (
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # resident identity card number
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile phone number
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail address
)


def redact(text: str) -> str:
    """``text`` with identity numbers, phone numbers and e-mail addresses masked.
    Names cannot be found mechanically: the author writes the summary without them."""
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text
