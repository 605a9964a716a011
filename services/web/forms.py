"""Read an ``application/x-www-form-urlencoded`` body without python-multipart."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from .backend import BackendError


class Form:
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def get(self, name: str, default: str = "") -> str:
        found = self._values.get(name)
        return found[0].strip() if found else default

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self._values.get(name, []) if v.strip()]

    def names(self) -> list[str]:
        return list(self._values)

    def integer(self, name: str, default: int) -> int:
        """A whole number typed into ``name`` (``default`` when left empty); a 422
        refusal naming the field otherwise."""
        text = self.get(name)
        if not text:
            return default
        if not text.isascii() or not text.lstrip("+-").isdigit() or len(text) > 18:
            raise BackendError(
                422,
                f"“{name}”须为整数，收到的是“{text[:20]}”",
                f"{name} must be a whole number, not “{text[:20]}”",
                field=name,
                code="not_a_number",
            )
        return int(text)


async def read_form(request: Request) -> Form:
    # A browser percent-encodes everything; stray raw bytes become U+FFFD, not a 500.
    body = (await request.body()).decode("utf-8", "replace")
    return Form(parse_qs(body, keep_blank_values=True))
