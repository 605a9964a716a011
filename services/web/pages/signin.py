"""Officer sign-in: paste a token, or (development only) mint one for a chosen role."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.auth import Role, actor_from_token, mint_token
from shared.errors import Unauthenticated
from shared.regions import jiangxi

from ..forms import read_form
from ..i18n import pick_lang, translator
from ..render import page, redirect
from ..session import TOKEN_COOKIE, actor_of

router = APIRouter()

STAFF_ROLES = [r for r in Role if r is not Role.public]


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/workbench"


def _signed_in(token: str, target: str) -> RedirectResponse:
    response = redirect(_safe_next(target))
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request) -> HTMLResponse:
    return page(
        request,
        "signin.html",
        roles=STAFF_ROLES,
        regions=[jiangxi().province, *jiangxi().cities(), *jiangxi().counties()],
        next=_safe_next(request.query_params.get("next", "/workbench")),
        error="",
    )


@router.post("/signin", response_model=None)
async def signin(request: Request) -> HTMLResponse | RedirectResponse:
    form = await read_form(request)
    token = form.get("token").removeprefix("Bearer ").strip()
    try:
        actor_from_token(token, request.app.state.settings)
    except Unauthenticated:
        return page(
            request,
            "signin.html",
            status_code=401,
            roles=STAFF_ROLES,
            regions=[jiangxi().province, *jiangxi().cities(), *jiangxi().counties()],
            next=_safe_next(form.get("next")),
            error=translator(pick_lang(request))("signin.bad"),
        )
    return _signed_in(token, form.get("next"))


@router.post("/signin/dev", response_model=None)
async def dev_signin(request: Request) -> RedirectResponse:
    if not request.app.state.settings.web_dev_sign_in:
        return redirect(
            "/signin", message="development sign-in is off / 未启用开发登录", error=True
        )
    form = await read_form(request)
    role = Role(form.get("role"))
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
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.get("/workbench", response_model=None)
async def workbench(request: Request) -> HTMLResponse | RedirectResponse:
    if actor_of(request) is None:
        return redirect("/signin?next=/workbench")
    return page(request, "workbench.html")
