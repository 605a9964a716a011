"""Officer sign-in: paste a token, or (development only) mint one for a chosen role."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.actors import Role
from shared.auth import actor_from_token, mint_token
from shared.errors import Unauthenticated
from shared.regions import jiangxi

from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect
from ..session import TOKEN_COOKIE, actor_of

router = APIRouter()

STAFF_ROLES = [r for r in Role if r is not Role.public]


# A path on this site: browsers read ``//host`` and ``/\host`` as another site.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


def safe_next(target: str) -> str:
    """Where to go after signing in: a path on this site, else the workbench."""
    return target if _LOCAL_PATH.fullmatch(target) else "/workbench"


def _signed_in(token: str, target: str) -> RedirectResponse:
    # Secure is added by the guard whenever the request came over HTTPS.
    response = redirect(safe_next(target))
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


def _signin_page(request: Request, next_path: str, error: str, status_code: int) -> HTMLResponse:
    return page(
        request,
        "signin.html",
        status_code=status_code,
        roles=STAFF_ROLES,
        regions=[jiangxi().province, *jiangxi().cities(), *jiangxi().counties()],
        next=safe_next(next_path),
        error=error,
    )


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request) -> HTMLResponse:
    return _signin_page(request, request.query_params.get("next", "/workbench"), "", 200)


@router.post("/signin", response_model=None)
async def signin(request: Request) -> HTMLResponse | RedirectResponse:
    form = await read_form(request)
    token = form.get("token").removeprefix("Bearer ").strip()
    try:
        actor_from_token(token, request.app.state.settings)
    except Unauthenticated:
        error = translator(pick_lang(request))("signin.bad")
        return _signin_page(request, form.get("next"), error, 401)
    return _signed_in(token, form.get("next"))


@router.post("/signin/dev", response_model=None)
async def dev_signin(request: Request) -> HTMLResponse | RedirectResponse:
    if not request.app.state.settings.web_dev_sign_in:
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
        request.app.state.settings,
        request.app.state.clock,
        subject=f"{role.value}@{organisation}",
        role=role,
        organisation=organisation,
        region_code=region,
    )
    return _signed_in(token, form.get("next"))


@router.post("/signout")
async def signout(request: Request) -> RedirectResponse:
    response = redirect("/")
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="strict")
    return response


@router.get("/workbench", response_model=None)
async def workbench(request: Request) -> HTMLResponse | RedirectResponse:
    if actor_of(request) is None:
        return redirect("/signin?next=/workbench")
    return page(request, "workbench.html")
