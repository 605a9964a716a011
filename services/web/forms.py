"""Read an ``application/x-www-form-urlencoded`` body without python-multipart."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request


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


async def read_form(request: Request) -> Form:
    body = (await request.body()).decode("utf-8")
    return Form(parse_qs(body, keep_blank_values=True))
