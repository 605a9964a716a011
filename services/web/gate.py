"""``SessionGate``: loads the signed-in session named by the request's cookie, refreshes
its access token when it expires within ``OIDC_WEB_REFRESH_MARGIN_S``, and ends the
session when the provider refuses the refresh (a disabled officer, a session ended at
the provider) or a development token has expired; the page then asks to sign in.

Pages of a signed-in session are sent ``Cache-Control: no-store``, so that after
sign-out the browser's Back button fetches them again instead of showing them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .oidc import Provider
from .session import SESSION_COOKIE, STATE_KEY
from .sessions import SessionStore, SignedIn

CLEARED = f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict".encode("latin-1")


class SessionGate:
    def __init__(
        self, app: ASGIApp, store: SessionStore, provider: Provider | None, margin_s: float
    ) -> None:
        self.app = app
        self.store = store
        self.provider = provider
        self.margin_s = margin_s

    async def current(self, session_id: str) -> SignedIn | None:
        found = self.store.get(session_id)
        if found is None or not self._stale(found):
            return found
        async with self.store.lock(session_id):
            found = self.store.get(session_id)
            if found is None or not self._stale(found):
                return found
            renewed = None
            if found.refresh_token and self.provider is not None:
                renewed = await self.provider.refresh(found)
            elif found.expires_at > self.store.now():
                return found
            if renewed is None:
                self.store.end(session_id)
                return None
            self.store.put(session_id, renewed)
            return renewed

    def _stale(self, signed_in: SignedIn) -> bool:
        margin = self.margin_s if signed_in.refresh_token else 0.0
        return signed_in.expires_at - margin <= self.store.now()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_id = Request(scope).cookies.get(SESSION_COOKIE)
        signed_in = await self.current(session_id) if session_id else None
        scope.setdefault("state", {})[STATE_KEY] = signed_in
        ended = bool(session_id) and signed_in is None

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and (ended or signed_in):
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if signed_in and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                setting = [v for n, v in headers if n.lower() == b"set-cookie"]
                if ended and not any(v.startswith(SESSION_COOKIE.encode()) for v in setting):
                    headers.append((b"set-cookie", CLEARED))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
