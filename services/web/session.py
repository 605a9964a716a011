"""Who is signed in: the server-side session (``sessions.py``) named by an opaque id in
an HttpOnly, SameSite=Strict cookie, loaded (and refreshed) by ``SessionGate``."""

from __future__ import annotations

from fastapi import Request

from shared.actors import Actor
from shared.auth import actor_from_token
from shared.errors import Unauthenticated

from .sessions import SignedIn

# The cookie keeps the name it had when it held the token itself; it now holds only the
# session's id.
SESSION_COOKIE = "campaign_token"
LANG_COOKIE = "lang"
FLASH_COOKIE = "flash"
# Where ``SessionGate`` leaves this request's session.
STATE_KEY = "signed_in"


def signed_in_of(request: Request) -> SignedIn | None:
    found = request.scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, SignedIn) else None


def token_of(request: Request) -> str | None:
    signed_in = signed_in_of(request)
    return signed_in.access_token if signed_in else None


def actor_of(request: Request) -> Actor | None:
    token = token_of(request)
    if not token:
        return None
    try:
        return actor_from_token(token, request.app.state.settings)
    except Unauthenticated:
        return None
