"""Officer sign-in: through the identity provider (OIDC authorization code + PKCE), and
in development mode only, by pasting a token or minting one for a chosen role."""

from __future__ import annotations

import re

import jwt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.actors import Role
from shared.auth import actor_from_token, mint_token
from shared.errors import Unauthenticated
from shared.regions import jiangxi

from ..csrf import binding_cookie, is_binding
from ..forms import read_form
from ..i18n import pick_lang, translator
from ..oidc import Provider, SignInFailed
from ..render import page, redirect
from ..session import SESSION_COOKIE, actor_of, signed_in_of
from ..sessions import MAX_SESSION_S, SessionStore, SignedIn

router = APIRouter()

STAFF_ROLES = [r for r in Role if r is not Role.public]
NEXT_KEY = "next"

# A path on this site: browsers read ``//host`` and ``/\host`` as another site.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


def safe_next(target: str) -> str:
    """Where to go after signing in: a path on this site, else the workbench."""
    return target if _LOCAL_PATH.fullmatch(target) else "/workbench"


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def _provider(request: Request) -> Provider | None:
    provider: Provider | None = request.app.state.provider
    return provider


def _binding(request: Request) -> str | None:
    value = request.cookies.get(binding_cookie(request.url.scheme == "https"))
    return value if is_binding(value) else None


def _start_session(request: Request, response: Response, signed_in: SignedIn) -> Response:
    """A fresh session id on every sign-in (never one the browser brought along)."""
    store = _store(request)
    store.end(request.cookies.get(SESSION_COOKIE))
    # Secure is added by the guard whenever the request came over HTTPS.
    response.set_cookie(
        SESSION_COOKIE,
        store.create(signed_in),
        httponly=True,
        samesite="strict",
        max_age=int(MAX_SESSION_S),
    )
    return response


def _token_session(request: Request, token: str, target: str) -> Response:
    # Already verified by the caller (pasted) or minted here: only its expiry is read.
    expires_at = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    return _start_session(request, redirect(safe_next(target)), SignedIn(token, expires_at))


def _signin_page(request: Request, next_path: str, error: str, status_code: int) -> HTMLResponse:
    settings = request.app.state.settings
    return page(
        request,
        "signin.html",
        status_code=status_code,
        roles=STAFF_ROLES,
        regions=[jiangxi().province, *jiangxi().cities(), *jiangxi().counties()],
        next=safe_next(next_path),
        error=error,
        provider=_provider(request) is not None,
        paste=settings.campaign_dev_mode,
        mint=settings.campaign_dev_mode and settings.web_dev_sign_in,
    )


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request) -> HTMLResponse:
    return _signin_page(request, request.query_params.get("next", "/workbench"), "", 200)


@router.post("/signin/oidc", response_model=None)
async def provider_signin(request: Request) -> HTMLResponse | RedirectResponse:
    form = await read_form(request)
    provider, binding = _provider(request), _binding(request)
    if provider is None or binding is None:
        return _signin_page(request, form.get("next"), _failed(request, _off()), 503)
    try:
        response = await provider.start(request, binding)
    except SignInFailed as exc:
        return _signin_page(request, form.get("next"), _failed(request, exc), 503)
    pending = _store(request).pending(binding)
    _store(request).keep_pending(binding, {**pending, NEXT_KEY: safe_next(form.get("next"))})
    return response


@router.get("/signin/callback", response_model=None)
async def provider_callback(request: Request) -> Response:
    provider, binding = _provider(request), _binding(request)
    if provider is None:
        return _signin_page(request, "/workbench", _failed(request, _off()), 503)
    target = str(_store(request).pending(binding).get(NEXT_KEY, "/workbench")) if binding else ""
    try:
        signed_in = await provider.finish(request, binding)
    except SignInFailed as exc:
        return _signin_page(request, target or "/workbench", _failed(request, exc), 401)
    # A page of this site that moves on by itself, not a redirect: the browser withholds
    # the SameSite=Strict session cookie from a redirect chain that began at the provider.
    done = page(request, "signin_done.html", next=safe_next(target))
    return _start_session(request, done, signed_in)


@router.post("/signin", response_model=None)
async def signin(request: Request) -> Response:
    form = await read_form(request)
    if not request.app.state.settings.campaign_dev_mode:
        return _signin_page(request, form.get("next"), _failed(request, _paste_off()), 403)
    token = form.get("token").removeprefix("Bearer ").strip()
    try:
        actor_from_token(token, request.app.state.settings)
    except Unauthenticated:
        error = translator(pick_lang(request))("signin.bad")
        return _signin_page(request, form.get("next"), error, 401)
    return _token_session(request, token, form.get("next"))


@router.post("/signin/dev", response_model=None)
async def dev_signin(request: Request) -> Response:
    settings = request.app.state.settings
    if not (settings.web_dev_sign_in and settings.campaign_dev_mode):
        return redirect(
            "/signin", message="development sign-in is off / 未启用开发登录", error=True
        )
    form = await read_form(request)
    role = next((r for r in STAFF_ROLES if r.value == form.get("role")), None)
    if role is None:
        error = (
            f"角色（role）无效：“{form.get('role')[:40]}”不是工作人员角色 / "
            f"role: “{form.get('role')[:40]}” is not a staff role"
        )
        return _signin_page(request, form.get("next"), error, 422)
    region = form.get("region") if form.get("region") in jiangxi() else "360000"
    organisation = form.get("organisation") or f"lo-{region}"
    token = mint_token(
        settings,
        request.app.state.clock,
        subject=f"{role.value}@{organisation}",
        role=role,
        organisation=organisation,
        region_code=region,
    )
    return _token_session(request, token, form.get("next"))


@router.post("/signout")
async def signout(request: Request) -> RedirectResponse:
    """Ends the local session, then the provider's (RP-initiated logout), which returns
    to the home page."""
    ended = _store(request).end(request.cookies.get(SESSION_COOKIE)) or signed_in_of(request)
    provider = _provider(request)
    target = None
    if provider is not None and ended is not None and ended.id_token:
        target = await provider.logout_url(request, ended)
    response = redirect(target or "/")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


@router.get("/workbench", response_model=None)
async def workbench(request: Request) -> HTMLResponse | RedirectResponse:
    if actor_of(request) is None:
        return redirect("/signin?next=/workbench")
    return page(request, "workbench.html")


def _failed(request: Request, error: SignInFailed) -> str:
    return error.en if pick_lang(request) == "en" else f"{error.zh} / {error.en}"


def _off() -> SignInFailed:
    return SignInFailed(
        "未配置统一身份认证（OIDC_ISSUER）", "no identity provider is configured (OIDC_ISSUER)"
    )


def _paste_off() -> SignInFailed:
    return SignInFailed(
        "粘贴令牌登录只在开发模式下可用，请通过统一身份认证登录",
        "pasting a token works in development mode only; sign in through the identity provider",
    )
