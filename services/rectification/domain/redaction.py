"""Mechanical redaction of a public summary: identifiers that must never be published.

People write numbers in groups ("138 0013 8000", "138-0013-8000", "0791-8888 6666",
"3601 0219 8001 0112 3X"), with a country prefix ("+86 138…") and in full-width digits
("１３８…"). A match starts and ends at the edge of a digit group: a number followed by
another ("13800138000 3 次") is still found, while a run of dates is not read as one
number. Everything is a plain pattern, so that a near miss never hides a number
that follows it."""

from __future__ import annotations

import re

REDACTED = "[已隐去/redacted]"

_DIGIT = "[0-9０-９]"
# Between two digits: nothing, a space, or a hyphen or dash with a space either side.
_SPACE = "[ \t\u00a0\u3000]"
_SEP = f"(?:{_SPACE}?[-\u2010-\u2015\u2212\uff0d]?{_SPACE}?)"
_START = f"(?<!{_DIGIT})"
_END = f"(?!{_DIGIT})"


def _spaced(*parts: str) -> str:
    """``parts`` in order, a separator allowed between any two."""
    return _SEP.join(parts)


def _d(count: int = 1) -> list[str]:
    return [_DIGIT] * count


def _compositions(total: int, smallest: int) -> list[tuple[int, ...]]:
    """Every way of writing ``total`` digits in groups of at least ``smallest``."""
    if total == 0:
        return [()]
    return [
        (first, *rest)
        for first in range(smallest, total + 1)
        for rest in _compositions(total - first, smallest)
    ]


def _grouped_mobile() -> str:
    """11 digits from 1[3-9], in groups of three or more (138 0013 8000, 1380 0138 000,
    one group): a run of dates (2016-12-01 …) has groups of two and is not one."""
    alternatives = []
    for sizes in _compositions(11, 3):
        groups = [f"[1１][3-9３-９]{_DIGIT}{{{sizes[0] - 2}}}"]
        groups += [f"{_DIGIT}{{{size}}}" for size in sizes[1:]]
        alternatives.append(_SEP.join(groups))
    return "(?:" + "|".join(alternatives) + ")"


_MOBILE_BODY = _grouped_mobile()
_SUBSCRIBER = f"[2-9２-９]{_DIGIT}{{2,3}}{_SEP}{_DIGIT}{{4}}"  # 888 6666, 8888 6666
_AREA = f"[0０]{_DIGIT}{{2,3}}"  # 010, 0791 …: written as one group
_COUNTRY = f"(?:(?:[+＋]|00){_SPACE}?86|[(（][+＋]?86[)）])"
# An identity card number however it is grouped: a region code, a birth date, a
# sequence number and a check character. The date is what tells it from a run of
# grouped dates of the same length.
_IDENTITY = _spaced(
    "[1-9１-９]",
    *_d(5),
    f"(?:[1１]{_SEP}[89８９]|[2２]{_SEP}[0０])",
    *_d(2),
    f"(?:[0０]{_SEP}[1-9１-９]|[1１]{_SEP}[0-2０-２])",
    f"(?:[0０]{_SEP}[1-9１-９]|[12１２]{_SEP}{_DIGIT}|[3３]{_SEP}[01０１])",
    *_d(3),
    "[0-9０-９XxＸｘ]",
)

_PATTERNS = (
    # one group of 18, whatever its date: a mistyped number still identifies a person
    re.compile(f"{_START}{_DIGIT}{{17}}[0-9０-９XxＸｘ]{_END}"),
    re.compile(f"{_START}{_IDENTITY}{_END}"),
    re.compile(  # +86 138 0013 8000, +86 791 8888 6666
        f"{_START}{_COUNTRY}{_SEP}"
        f"(?:{_MOBILE_BODY}|[0０]?[1-9１-９]{_DIGIT}{{1,2}}{_SEP}{_SUBSCRIBER}){_END}"
    ),
    re.compile(f"{_START}{_MOBILE_BODY}{_END}"),  # mobile phone
    re.compile(f"(?:[(（]{_AREA}[)）]|{_START}{_AREA}){_SEP}{_SUBSCRIBER}{_END}"),  # landline
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail address
)


def redact(text: str) -> str:
    """``text`` with identity numbers, phone numbers and e-mail addresses masked.
    Names cannot be found mechanically: the author writes the summary without them."""
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text
