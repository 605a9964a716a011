"""Render a Jinja2 page with the language, the signed-in actor and any flash message."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.actors import ROLE_LABELS_ZH
from shared.clock import BEIJING
from shared.regions import jiangxi
from shared.vocabulary import LABELS_ZH

from .backend import BackendError
from .csrf import csrf_token_of
from .i18n import MESSAGES, pick_lang, translator
from .session import FLASH_COOKIE, LANG_COOKIE, actor_of

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)


def region_name(code: str) -> str:
    regions = jiangxi()
    return regions.get(code).name if code in regions else code


environment.filters["region_name"] = region_name


def local_time(value: object) -> str:
    """An ISO timestamp from a service, shown in Beijing time (UTC+8)."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


environment.filters["local_time"] = local_time
environment.filters["pct"] = lambda v: "—" if v is None else f"{float(v) * 100:.1f}%"


def labeller(lang: str) -> Callable[[str], str]:
    """Vocabulary values (categories, powers, severities) in the page's language."""

    def label(value: str) -> str:
        known = MESSAGES.get(f"enum.{value}")
        if known:
            return known[1] if lang == "en" else known[0]
        if lang == "zh":
            return LABELS_ZH.get(value, value)
        return value.replace("_", " ")

    return label


def _switch_url(request: Request, lang: str) -> str:
    """The same page in the other language (query kept, ``lang`` replaced)."""
    url = request.url.include_query_params(lang=lang)
    return f"{url.path}?{url.query}"


def _flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        value = json.loads(unquote(raw))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = pick_lang(request)
    flash = _flash(request)
    html = environment.get_template(template).render(
        request=request,
        lang=lang,
        t=translator(lang),
        actor=actor_of(request),
        flash=flash,
        dev_sign_in=request.app.state.settings.web_dev_sign_in,
        csrf_token=csrf_token_of(request),
        path=request.url.path,
        label=labeller(lang),
        switch_url=_switch_url(request, "zh" if lang == "en" else "en"),
        role_label=lambda role: (
            ROLE_LABELS_ZH.get(role, role.value) if lang == "zh" else role.value
        ),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if "lang" in request.query_params and lang == request.query_params["lang"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(url: str, *, message: str = "", error: bool = False) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message:
        payload = quote(json.dumps({"message": message, "error": error}, ensure_ascii=False))
        response.set_cookie(FLASH_COOKIE, payload, max_age=60, samesite="strict", httponly=True)
    return response


def refused(request: Request, url: str, error: BackendError) -> RedirectResponse:
    return redirect(url, message=error.message(pick_lang(request)), error=True)


def error_page(request: Request, error: BackendError) -> HTMLResponse:
    status = error.status if error.status in (401, 403, 404, 409, 422) else 502
    return page(request, "error.html", status_code=status, error=error)


def refusal_page(request: Request, status: int, zh: str, en: str) -> HTMLResponse:
    """A refusal in both languages, the Chinese first: the guard's 403 and 413, a form
    field the app cannot read (422), an unknown path or method."""
    return page(request, "refused.html", status_code=status, message_zh=zh, message_en=en)


# FastAPI's own answers (an unknown path, a method a route does not take), in both languages.
HTTP_REFUSALS = {
    404: ("未找到该页面或地址", "no such page or address"),
    405: ("该地址不接受这种请求方法", "this address does not take that request method"),
}


def http_refusal(request: Request, status: int) -> Response:
    zh, en = HTTP_REFUSALS.get(
        status, (f"请求无法处理（{status}）", f"the request failed ({status})")
    )
    if request.url.path.startswith("/api/"):
        body = {"detail": {"message_zh": zh, "message_en": en}}
        return JSONResponse(body, status_code=status)
    return refusal_page(request, status, zh, en)
