"""Mechanical redaction of a public summary: identifiers that must never be published.

People write numbers in groups ("138 0013 8000", "138-0013-8000", "0791-8888 6666",
"3601 0219 8001 0112 3X"), with a country prefix ("+86 138…") and in full-width digits
("１３８…"). Phone patterns allow a separator where people put one; an ID number may
be grouped anyhow, and is recognised by the birth date inside it. A match starts and
ends at the edge of a digit group: a number followed by another ("13800138000 3 次") is
still found, while a run of dates is not read as one number."""

from __future__ import annotations

import re

REDACTED = "[已隐去/redacted]"

_DIGIT = "[0-9０-９]"
_TO_ASCII = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")
# Between two digits: nothing, a space, or a hyphen or dash with a space either side.
_SPACE = "[ \t\u00a0\u3000]"
_SEP = f"(?:{_SPACE}?[-\u2010-\u2015\u2212\uff0d]?{_SPACE}?)"
_START = f"(?<!{_DIGIT})"
_END = f"(?!{_DIGIT})"


def _digits(count: int) -> str:
    """``count`` digits, a separator allowed before each."""
    return f"(?:{_SEP}{_DIGIT}){{{count}}}"


# Grouped as people write them: 138 0013 8000, or one group.
_MOBILE_BODY = f"[1１][3-9３-９]{_DIGIT}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}"
_SUBSCRIBER = f"[2-9２-９]{_DIGIT}{{2,3}}{_SEP}{_DIGIT}{{4}}"  # 888 6666, 8888 6666
_AREA = f"[0０]{_DIGIT}{{2,3}}"  # 010, 0791 …: written as one group
_COUNTRY = f"(?:(?:[+＋]|00){_SPACE}?86|[(（][+＋]?86[)）])"

# An ID number written in groups: its birth date must be a date, so that a run of
# grouped dates of the same length is left alone.
_GROUPED_ID = re.compile(f"{_START}({_DIGIT}{_digits(16)}{_SEP}[0-9０-９XxＸｘ]){_END}")
_PATTERNS = (
    re.compile(f"{_START}{_DIGIT}{{17}}[0-9０-９XxＸｘ]{_END}"),  # identity card, one group
    re.compile(  # +86 138 0013 8000, +86 791 8888 6666
        f"{_START}{_COUNTRY}{_SEP}"
        f"(?:{_MOBILE_BODY}|[0０]?[1-9１-９]{_DIGIT}{{1,2}}{_SEP}{_SUBSCRIBER}){_END}"
    ),
    re.compile(f"{_START}{_MOBILE_BODY}{_END}"),  # mobile phone
    re.compile(f"(?:[(（]{_AREA}[)）]|{_START}{_AREA}){_SEP}{_SUBSCRIBER}{_END}"),  # landline
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail address
)


def _is_identity_number(grouped: str) -> bool:
    digits = "".join(ch for ch in grouped.translate(_TO_ASCII) if ch.isalnum())
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    return 1850 <= year <= 2199 and 1 <= month <= 12 and 1 <= day <= 31


def _mask_grouped_id(match: re.Match[str]) -> str:
    return REDACTED if _is_identity_number(match.group(1)) else match.group(0)


def redact(text: str) -> str:
    """``text`` with identity numbers, phone numbers and e-mail addresses masked.
    Names cannot be found mechanically: the author writes the summary without them."""
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _GROUPED_ID.sub(_mask_grouped_id, text)
    for pattern in _PATTERNS[1:]:
        text = pattern.sub(REDACTED, text)
    return text
