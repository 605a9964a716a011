"""The correlation id of the request being served: it follows a request into every
event it causes, and back to the caller in the ``X-Correlation-ID`` header."""

from __future__ import annotations

from contextvars import ContextVar

from shared.ids import unique_id

HEADER = "X-Correlation-ID"
_current: ContextVar[str] = ContextVar("correlation_id", default="")


def current() -> str:
    """The id of the request in progress ("" outside a request)."""
    return _current.get()


def begin(requested: str | None) -> str:
    """Adopt the caller's id (bounded in length) or make a new one."""
    correlation_id = (requested or "")[:128] or unique_id()
    _current.set(correlation_id)
    return correlation_id
