"""Who is signed in: a bearer token kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from fastapi import Request

from shared.actors import Actor
from shared.auth import actor_from_token
from shared.errors import Unauthenticated

TOKEN_COOKIE = "campaign_token"
LANG_COOKIE = "lang"
FLASH_COOKIE = "flash"


def token_of(request: Request) -> str | None:
    return request.cookies.get(TOKEN_COOKIE) or None


def actor_of(request: Request) -> Actor | None:
    token = token_of(request)
    if not token:
        return None
    try:
        return actor_from_token(token, request.app.state.settings)
    except Unauthenticated:
        return None
