"""What every page module shares: the backend, the signed-in officer, the visitor's address."""

from __future__ import annotations

from fastapi import Request

from shared.actors import Actor

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
