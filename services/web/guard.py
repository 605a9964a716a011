"""The gate in front of every page and the ``/api`` proxy.

For a state-changing request (any method but GET, HEAD and OPTIONS) it checks, in this
order, that the browser names an accepted origin, that the body is within its limit
(413 otherwise, for every method) and that the request carries the anti-forgery token
of this browser and session (``csrf.py``). Requests to ``/api`` with a bearer token of
their own are exempt from the first and last: no browser adds such a header by itself,
and another origin cannot add it without a CORS preflight the app never grants.

It also gives each browser its pre-session cookie, puts the token where templates find
it, and over HTTPS (the request's scheme, set from ``X-Forwarded-Proto`` by trusted
proxies only) marks every cookie the app sets ``Secure``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.settings import Settings

from .config import MAX_FORM_BYTES, MAX_PROXY_BYTES
from .csrf import (
    FORM_FIELD,
    HEADER,
    STATE_KEY,
    Tokens,
    binding_cookie,
    is_binding,
    new_binding,
)
from .origin import accepted_origins, origin_accepted, serving_origin
from .render import refusal_page
from .session import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    field: str
    zh: str
    en: str


FOREIGN_ORIGIN = Refusal(
    403,
    "foreign_origin",
    "Origin",
    "请求不是从本网站的页面发出的（Origin），已拒绝。请在本网站的页面上重新提交。",
    "the request did not come from a page of this site (Origin) and was refused; "
    "submit it again from this site's own page",
)
BAD_TOKEN = Refusal(
    403,
    "csrf_token",
    FORM_FIELD,
    "表单已过期或不是本网站的表单（csrf_token 无效），请刷新页面后重新提交。",
    "the form has expired or is not one of this site's (csrf_token is not valid); "
    "reload the page and submit it again",
)


def too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        "body_too_large",
        "body",
        f"提交的内容过大（上限 {limit} 字节）。",
        f"the request body is too large (the limit is {limit} bytes)",
    )


def _bearer(request: Request) -> bool:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(credentials.strip())


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


def _declared_too_large(request: Request, limit: int) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > limit


class _BodyTooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    pending = [body]

    async def replayed() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replayed


def presented_token(request: Request, body: bytes) -> str | None:
    """The token in the ``X-CSRF-Token`` header, else in a urlencoded form's field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return None
    found = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(FORM_FIELD)
    return found[0] if found else None


def _secure_cookie(value: bytes) -> bytes:
    attributes = {a.strip().lower() for a in value.split(b";")[1:]}
    return value if b"secure" in attributes else value + b"; Secure"


def _binding_header(name: str, value: str, https: bool) -> bytes:
    # Lax, not Strict: a visitor arriving by a link from elsewhere keeps the value that
    # their open pages' forms were minted for. It is no credential on its own.
    cookie = f"{name}={value}; Path=/; HttpOnly; SameSite=Lax"
    return (cookie + "; Secure" if https else cookie).encode("latin-1")


def _with_cookies(send: Send, https: bool, extra: bytes | None) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (name, _secure_cookie(value) if https and name.lower() == b"set-cookie" else value)
                for name, value in message.get("headers", [])
            ]
            if extra is not None:
                headers.append((b"set-cookie", extra))
            message = {**message, "headers": headers}
        await send(message)

    return sending


class Guard:
    """ASGI middleware; see the module's docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.tokens = Tokens(settings.jwt_secret)
        self.configured = (*settings.web_allowed_origins.split(","), settings.web_public_origin)

    def accepted(self, request: Request) -> frozenset[str]:
        serving = serving_origin(request.url.scheme, request.headers.get("host"))
        return accepted_origins(self.configured, serving)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        https = scope.get("scheme") == "https"
        name = binding_cookie(https)
        sent = request.cookies.get(name)
        binding = sent if is_binding(sent) else None
        current = binding or new_binding()
        session = request.cookies.get(SESSION_COOKIE)
        scope.setdefault("state", {})[STATE_KEY] = self.tokens.mint(current, session)
        planted = None if binding else _binding_header(name, current, https)
        send = _with_cookies(send, https, planted)

        api = scope["path"].startswith("/api/")
        guarded = scope["method"] not in SAFE_METHODS and not (api and _bearer(request))
        if guarded and not origin_accepted(request.headers, self.accepted(request)):
            await self.refuse(scope, send, FOREIGN_ORIGIN)
            return
        limit = MAX_PROXY_BYTES if api else MAX_FORM_BYTES
        if guarded or _has_body(request):
            if _declared_too_large(request, limit):
                await self.refuse(scope, send, too_large(limit))
                return
            try:
                body = await _read_body(receive, limit)
            except _BodyTooLarge:
                await self.refuse(scope, send, too_large(limit))
                return
            except _Disconnected:
                return
            receive = _replay(body, receive)
            if guarded and not self.tokens.check(presented_token(request, body), binding, session):
                await self.refuse(scope, send, BAD_TOKEN)
                return
        await self.app(scope, receive, send)

    async def refuse(self, scope: Scope, send: Send, refusal: Refusal) -> None:
        """A bilingual refusal: JSON under ``/api`` (the services' error shape), a page
        elsewhere."""

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        response: Response
        if scope["path"].startswith("/api/"):
            detail = {
                "code": refusal.code,
                "field": refusal.field,
                "message_zh": refusal.zh,
                "message_en": refusal.en,
            }
            response = JSONResponse({"detail": detail}, status_code=refusal.status)
        else:
            response = refusal_page(Request(scope), refusal.status, refusal.zh, refusal.en)
        await response(scope, nothing, send)
