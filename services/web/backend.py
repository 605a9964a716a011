"""Calls to the four services on behalf of the signed-in officer (or the public)."""

from __future__ import annotations

from typing import Any

import httpx

from .ids import safe_path


class BackendError(Exception):
    """A refusal (or an outage) of a service, with its bilingual message."""

    def __init__(
        self, status: int, zh: str, en: str, field: str | None = None, code: str = ""
    ) -> None:
        super().__init__(f"{status} {en}")
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _error_of(response: httpx.Response) -> BackendError:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, dict):
        return BackendError(
            response.status_code,
            str(detail.get("message_zh") or detail.get("message") or response.status_code),
            str(detail.get("message_en") or detail.get("message") or response.status_code),
            detail.get("field"),
            str(detail.get("code") or ""),
        )
    return BackendError(
        response.status_code,
        f"服务返回错误 {response.status_code}",
        f"the service answered {response.status_code}",
    )


class Backend:
    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self.client = client
        self.urls = urls

    async def request(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        if not safe_path(path):
            raise BackendError(404, "未找到该记录", "no such record")
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = await self.client.request(
                method,
                f"{self.urls[service]}{path}",
                json=json,
                params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                headers=sent,
            )
        except httpx.InvalidURL as exc:
            raise BackendError(404, "未找到该记录", "no such record") from exc
        except httpx.HTTPError as exc:
            raise BackendError(
                503, f"{service} 服务暂时无法访问", f"the {service} service is unreachable"
            ) from exc
        if response.status_code >= 400:
            raise _error_of(response)
        return response

    async def get(self, service: str, path: str, token: str | None = None, **params: Any) -> Any:
        return (await self.request("GET", service, path, token=token, params=params)).json()

    async def post(
        self,
        service: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        response = await self.request(
            "POST",
            service,
            path,
            token=token,
            json=body if body is not None else {},
            headers=headers,
        )
        return response.json() if response.content else None
