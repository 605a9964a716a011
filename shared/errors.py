"""Refusals with a message in Chinese and English.

Domain code raises these; the HTTP layer maps each kind to its status code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Refusal(Exception):
    """A request that is understood but refused. ``field`` names the input at fault."""

    status_code: ClassVar[int] = 400
    kind: ClassVar[str] = "refused"

    def __init__(self, zh: str, en: str, *, field: str | None = None, code: str = "") -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.field = field
        self.code = code or type(self).kind

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses process boundaries (reports render in a child process) whatever
        # the subclass's constructor takes.
        return (_restore, (type(self), self.__dict__))

    def as_detail(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "field": self.field,
            "message": f"{self.zh} / {self.en}",
            "message_zh": self.zh,
            "message_en": self.en,
        }


class Invalid(Refusal):
    """The input itself is wrong (HTTP 422)."""

    status_code = 422
    kind = "invalid"


class Conflict(Refusal):
    """The input is fine but the aggregate's state does not allow it (HTTP 409)."""

    status_code = 409
    kind = "conflict"


class Forbidden(Refusal):
    """The actor's role or region does not allow it (HTTP 403)."""

    status_code = 403
    kind = "forbidden"


class NotFound(Refusal):
    """No such aggregate (HTTP 404)."""

    status_code = 404
    kind = "not_found"


class Unauthenticated(Refusal):
    """Missing, expired or forged credentials (HTTP 401)."""

    status_code = 401
    kind = "unauthenticated"


class Throttled(Refusal):
    """Too many attempts from one client (HTTP 429); ``retry_after`` in seconds."""

    status_code = 429
    kind = "throttled"

    def __init__(self, zh: str, en: str, *, retry_after: int, code: str = "") -> None:
        super().__init__(zh, en, code=code)
        self.retry_after = retry_after


class Unavailable(Refusal):
    """A dependency (the broker) did not answer in time (HTTP 503)."""

    status_code = 503
    kind = "unavailable"


def _restore(kind: type[Refusal], state: dict[str, Any]) -> Refusal:
    refusal = kind.__new__(kind)
    Exception.__init__(refusal, f"{state['zh']} / {state['en']}")
    refusal.__dict__.update(state)
    return refusal
