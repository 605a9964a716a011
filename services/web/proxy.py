"""``/api/<service>/<path>``: the four APIs under the web origin, with the caller's
bearer token (or the signed-in session's) passed through. The guard has already checked
the origin, the anti-forgery token and the body's size (``guard.py``)."""

from __future__ import annotations

import json

import httpx
from fastapi import APIRouter, Request, Response

from .config import BACKENDS
from .ids import safe_path
from .session import token_of

router = APIRouter(include_in_schema=False)

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
    "content-encoding",
}


def _refusal(status: int, zh: str, en: str) -> Response:
    body = {"detail": {"message_zh": zh, "message_en": en}}
    return Response(json.dumps(body, ensure_ascii=False), status, media_type="application/json")


@router.api_route("/api/{service}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def forward(service: str, path: str, request: Request) -> Response:
    if service not in BACKENDS or not safe_path(path):
        return _refusal(404, "未找到该地址", "no such address")
    backend = request.app.state.backend
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
    # The services need none of these; a Referer could carry a ballot page's token.
    for private in ("cookie", "x-csrf-token", "referer", "origin"):
        headers.pop(private, None)
    headers.pop("x-forwarded-for", None)
    if request.client:
        headers["X-Forwarded-For"] = request.client.host
    token = token_of(request)
    if "authorization" not in {k.lower() for k in headers} and token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        upstream = await backend.client.request(
            request.method,
            f"{backend.urls[service]}/{path}",
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,
        )
    except httpx.InvalidURL:
        return _refusal(404, "未找到该地址", "no such address")
    except httpx.HTTPError:
        return _refusal(502, "服务暂时无法访问", "service unreachable")
    passed = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
    return Response(upstream.content, status_code=upstream.status_code, headers=passed)
