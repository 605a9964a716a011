"""Anti-forgery tokens for every state-changing request of the web application.

Each browser gets a pre-session cookie (a random value, set on its first response, long
before any sign-in) and every form carries a token: an HMAC, under a key derived from
the service secret, of that cookie and of the session cookie. A page elsewhere can
neither read the cookie nor compute the token, so it can post no form, the sign-in forms
included (login CSRF). Binding the token to the session as well means that a cookie
planted by a sibling subdomain (cookie tossing) is worth nothing once someone is signed
in; the Origin check (``origin.py``) covers the moment before."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from starlette.requests import Request

from shared.ids import token_urlsafe

BINDING_COOKIE = "campaign_csrf"
# Over HTTPS the ``__Host-`` prefix makes browsers refuse the cookie from any other host
# (no Domain attribute allowed), so a sibling subdomain cannot plant one.
SECURE_BINDING_COOKIE = "__Host-campaign_csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
# Where the guard leaves this request's token for the templates.
STATE_KEY = "csrf_token"

_BINDING = re.compile(r"[A-Za-z0-9_-]{43}")
_KEY_LABEL = b"campaign web anti-forgery key v1"


def binding_cookie(https: bool) -> str:
    """The pre-session cookie's name on this scheme."""
    return SECURE_BINDING_COOKIE if https else BINDING_COOKIE


def new_binding() -> str:
    """A fresh pre-session value: 32 bytes from the operating system's CSPRNG."""
    return token_urlsafe(32)


def is_binding(value: str | None) -> bool:
    return value is not None and _BINDING.fullmatch(value) is not None


class Tokens:
    """Mints and checks tokens under one secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the anti-forgery key needs a non-empty secret")
        # A key of its own: a token never doubles as anything signed with the secret.
        self._key = hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()

    def mint(self, binding: str, session: str | None) -> str:
        if not is_binding(binding):
            raise ValueError("not a pre-session value")
        session_digest = hashlib.sha256((session or "").encode()).digest()
        mac = hmac.new(self._key, binding.encode() + b"\x00" + session_digest, hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def check(self, presented: str | None, binding: str | None, session: str | None) -> bool:
        """Whether ``presented`` was minted for this pre-session cookie and session."""
        if not presented or binding is None or not is_binding(binding):
            return False
        expected = self.mint(binding, session)
        return hmac.compare_digest(presented.encode(), expected.encode())


def csrf_token_of(request: Request) -> str:
    """The token a page embeds in its forms (the guard sets it for every request)."""
    return str(request.scope.get("state", {}).get(STATE_KEY, ""))
