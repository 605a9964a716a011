"""The correlation id of the request being served: it follows a request into every
event it causes, and back to the caller in the ``X-Correlation-ID`` header.

A caller's id goes into published events and log lines, so it is adopted only when it
is plainly an id: letters, digits and ``-_.:``, at most 64 characters, starting with a
letter or digit. Anything else (control characters, markup, a 10 KB header) is not
echoed; the request gets a fresh id instead."""

from __future__ import annotations

import re
from contextvars import ContextVar

from shared.ids import unique_id

HEADER = "X-Correlation-ID"
MAX_LENGTH = 64
PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_current: ContextVar[str] = ContextVar("correlation_id", default="")


def current() -> str:
    """The id of the request in progress ("" outside a request)."""
    return _current.get()


def is_acceptable(requested: str) -> bool:
    """Whether a caller-given id may be adopted as it is."""
    return len(requested) <= MAX_LENGTH and PATTERN.fullmatch(requested) is not None


def begin(requested: str | None) -> str:
    """Adopt the caller's id when it is acceptable, else make a new one."""
    correlation_id = requested if requested and is_acceptable(requested) else unique_id()
    _current.set(correlation_id)
    return correlation_id
