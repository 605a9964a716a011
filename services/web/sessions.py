"""Signed-in sessions, kept on the server and keyed by an opaque id.

The browser holds only the id (``session.SESSION_COOKIE``: 32 random bytes, HttpOnly,
SameSite=Strict, Secure over HTTPS); the tokens never leave the web app, so a cookie
that leaks through a log or a proxy is worth nothing once the session ends, and the
cookie stays small whatever the provider's tokens weigh. Sessions live in this
process's memory: one web process per deployment, and a restart signs everyone out.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from shared.ids import token_urlsafe

# Longer than the realm's SSO session (10 h at most): past it a refresh fails anyway.
MAX_SESSION_S = 12 * 3600.0
# A pending sign-in (the OIDC state and PKCE verifier) waits this long for its callback.
PENDING_S = 600.0


@dataclass(frozen=True)
class SignedIn:
    """One officer's tokens. ``refresh_token`` is empty for a development token."""

    access_token: str
    expires_at: float
    refresh_token: str = ""
    id_token: str = ""
    started_at: float = field(default_factory=time.time)

    def refreshed(
        self, access_token: str, expires_at: float, refresh_token: str, id_token: str
    ) -> SignedIn:
        return replace(
            self,
            access_token=access_token,
            expires_at=expires_at,
            refresh_token=refresh_token or self.refresh_token,
            id_token=id_token or self.id_token,
        )


class SessionStore:
    """Sessions by id, and pending sign-ins by the browser's pre-session value."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._sessions: dict[str, SignedIn] = {}
        self._pending: dict[str, tuple[float, dict[str, object]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._mutex = threading.Lock()

    def now(self) -> float:
        return self._clock()

    def create(self, signed_in: SignedIn) -> str:
        session_id = token_urlsafe(32)
        with self._mutex:
            self._sweep()
            self._sessions[session_id] = signed_in
        return session_id

    def get(self, session_id: str | None) -> SignedIn | None:
        if not session_id:
            return None
        with self._mutex:
            found = self._sessions.get(session_id)
            if found is not None and self.now() - found.started_at > MAX_SESSION_S:
                self._drop(session_id)
                return None
            return found

    def put(self, session_id: str, signed_in: SignedIn) -> None:
        with self._mutex:
            if session_id in self._sessions:
                self._sessions[session_id] = signed_in

    def end(self, session_id: str | None) -> SignedIn | None:
        if not session_id:
            return None
        with self._mutex:
            return self._drop(session_id)

    def lock(self, session_id: str) -> asyncio.Lock:
        """One refresh at a time per session: the realm's refresh tokens are single-use,
        so two requests refreshing with the same one would end the session."""
        with self._mutex:
            return self._locks.setdefault(session_id, asyncio.Lock())

    def pending(self, binding: str) -> dict[str, object]:
        """The pending sign-in data of this pre-session (authlib's ``request.session``)."""
        with self._mutex:
            at, data = self._pending.get(binding, (0.0, {}))
            return dict(data) if self.now() - at <= PENDING_S else {}

    def keep_pending(self, binding: str, data: dict[str, object]) -> None:
        with self._mutex:
            if data:
                self._pending[binding] = (self.now(), dict(data))
            else:
                self._pending.pop(binding, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _drop(self, session_id: str) -> SignedIn | None:
        self._locks.pop(session_id, None)
        return self._sessions.pop(session_id, None)

    def _sweep(self) -> None:
        now = self.now()
        for key in [k for k, v in self._sessions.items() if now - v.started_at > MAX_SESSION_S]:
            self._drop(key)
        for key in [k for k, (at, _) in self._pending.items() if now - at > PENDING_S]:
            del self._pending[key]
