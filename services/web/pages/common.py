"""What every page module shares: the backend, the signed-in officer, the public reader."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from shared.auth import Actor, Role, mint_token

from ..backend import Backend, BackendError
from ..ids import is_aggregate_id
from ..session import actor_of, token_of


def backend(request: Request) -> Backend:
    found: Backend = request.app.state.backend
    return found


def officer(request: Request) -> tuple[Actor, str]:
    """The signed-in officer and their token; 401 (to the sign-in page) otherwise."""
    actor = actor_of(request)
    token = token_of(request)
    if actor is None or token is None:
        raise BackendError(401, "请先登录", "please sign in first")
    return actor, token


def public_reader_token(request: Request) -> str:
    """A short-lived province-wide auditor token the web application uses to read what
    is already public (published results, exposed cases); pages filter to exactly that."""
    return mint_token(
        request.app.state.settings,
        request.app.state.clock,
        subject="web-public-reader",
        role=Role.auditor,
        organisation="web-public",
        region_code="360000",
        ttl=timedelta(minutes=5),
    )


def forwarded_for(request: Request) -> dict[str, str]:
    """The visitor's address for the services' per-client throttles (uvicorn trusts
    ``X-Forwarded-For`` from the addresses in ``TRUSTED_PROXIES``)."""
    return {"X-Forwarded-For": request.client.host} if request.client else {}


def path_id(value: str, field: str) -> str:
    """An aggregate's id from the URL or a form; anything of another shape is not found
    (a 404 page), and never reaches a backend URL."""
    if not is_aggregate_id(value):
        raise BackendError(404, f"未找到该记录（{field}）", f"no such record ({field})", field)
    return value
