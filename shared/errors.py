"""Refusals with a message in Chinese and English.

Domain code raises these; the HTTP layer maps each kind to its status code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Refusal(Exception):
    """A request that is understood but refused. ``field`` names the input at fault."""

    status_code: ClassVar[int] = 400
    kind: ClassVar[str] = "refused"

    def __init_subclass__(
        cls, *, status: int | None = None, kind: str | None = None, **more: Any
    ) -> None:
        # Each kind of refusal names its HTTP status and code where it is declared.
        super().__init_subclass__(**more)
        if status is not None:
            cls.status_code = status
        if kind is not None:
            cls.kind = kind

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


class Invalid(Refusal, status=422, kind="invalid"):
    """The input itself is wrong (HTTP 422)."""


class Conflict(Refusal, status=409, kind="conflict"):
    """The input is fine but the aggregate's state does not allow it (HTTP 409)."""


class Forbidden(Refusal, status=403, kind="forbidden"):
    """The actor's role or region does not allow it (HTTP 403)."""


class NotFound(Refusal, status=404, kind="not_found"):
    """No such aggregate (HTTP 404)."""


class Unauthenticated(Refusal, status=401, kind="unauthenticated"):
    """Missing, expired or forged credentials (HTTP 401)."""


class Throttled(Refusal, status=429, kind="throttled"):
    """Too many attempts from one client (HTTP 429); ``retry_after`` in seconds."""

    def __init__(self, zh: str, en: str, *, retry_after: int, code: str = "") -> None:
        super().__init__(zh, en, code=code)
        self.retry_after = retry_after


class Unavailable(Refusal, status=503, kind="unavailable"):
    """A dependency (the broker) did not answer in time (HTTP 503)."""


def _restore(kind: type[Refusal], state: dict[str, Any]) -> Refusal:
    refusal = kind.__new__(kind)
    Exception.__init__(refusal, f"{state['zh']} / {state['en']}")
    refusal.__dict__.update(state)
    return refusal
