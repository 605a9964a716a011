"""The web application's guard in process (Starlette's test client, no services behind
it: every backend URL points at a closed port, so a request that got past the guard and
reached a service answers 502, and one stopped before answers 403, 404, 413 or 422; one
test puts an echo server behind the proxy to see what reaches a service)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from services.web.bootstrap import build_app
from services.web.config import BACKENDS, MAX_FORM_BYTES, MAX_PROXY_BYTES
from shared.actors import Role
from shared.auth import mint_token
from shared.settings import Settings
from tests.web.conftest import LiveServer

OWN = {"origin": "http://testserver"}
SIBLING = {"origin": "http://127.0.0.1:9911"}
CLOSED = {name: "http://127.0.0.1:1" for name in BACKENDS}
PEER = ("127.0.0.1", 50000)
DEV_SIGN_IN = {
    "role": "legal_office",
    "region": "360100",
    "organisation": "lo-360100",
    "next": "/workbench",
}


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"web_dev_sign_in": True, "jwt_secret": "guard-test-secret-" + "x" * 32}
    )


def browser(
    settings: Settings, base: str = "http://testserver", peer: tuple[str, int] = PEER
) -> TestClient:
    app = build_app(settings, backend_urls=CLOSED)
    return TestClient(app, base_url=base, client=peer, follow_redirects=False)


@pytest.fixture
def web(web_settings: Settings) -> Iterator[TestClient]:
    with browser(web_settings) as client:
        yield client


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def cookie(response: httpx.Response, name: str) -> str | None:
    """The ``Set-Cookie`` header for ``name`` in ``response``, if any."""
    found = response.headers.get_list("set-cookie")
    return next((c for c in found if c.startswith(f"{name}=")), None)


def sign_in(web: TestClient, origin: dict[str, str] = OWN) -> None:
    token = token_in(web.get("/signin").text)
    answer = web.post("/signin/dev", data={**DEV_SIGN_IN, "csrf_token": token}, headers=origin)
    assert answer.status_code == 303, answer.text


def assert_refused_page(answer: httpx.Response, status: int, *phrases: str) -> None:
    assert answer.status_code == status
    assert "data-refused" in answer.text
    for phrase in phrases:
        assert phrase in answer.text


def test_pages_name_their_origin_to_their_own_forms(web: TestClient) -> None:
    # Under ``no-referrer`` Chromium sends ``Origin: null`` with the app's own forms.
    answer = web.get("/")
    assert answer.headers["referrer-policy"] == "same-origin"
    assert '<meta name="csrf-token" content="' in answer.text


def test_dev_sign_in_from_the_own_page_sets_a_strict_httponly_cookie(web: TestClient) -> None:
    form = web.get("/signin")
    binding = cookie(form, "campaign_csrf")
    assert binding and "HttpOnly" in binding and "SameSite=Lax" in binding
    assert "Secure" not in binding
    answer = web.post(
        "/signin/dev", data={**DEV_SIGN_IN, "csrf_token": token_in(form.text)}, headers=OWN
    )
    assert answer.status_code == 303
    session = cookie(answer, "campaign_token")
    assert session and "HttpOnly" in session and "samesite=strict" in session.lower()
    assert "Secure" not in session


def test_sign_in_without_the_token_or_from_another_origin_sets_no_cookie(
    web: TestClient,
) -> None:
    token = token_in(web.get("/signin").text)
    for data, headers, phrase in (
        (DEV_SIGN_IN, OWN, "csrf_token"),
        ({**DEV_SIGN_IN, "csrf_token": "forged"}, OWN, "csrf_token"),
        ({**DEV_SIGN_IN, "csrf_token": token}, SIBLING, "Origin"),
        ({**DEV_SIGN_IN, "csrf_token": token}, {"origin": "null"}, "Origin"),
        ({**DEV_SIGN_IN, "csrf_token": token}, {}, "Origin"),
        ({**DEV_SIGN_IN, "csrf_token": token}, {"referer": "http://127.0.0.1:9911/x"}, "Origin"),
    ):
        answer = web.post("/signin/dev", data=data, headers=headers)
        assert_refused_page(answer, 403, phrase, "已拒绝" if phrase == "Origin" else "刷新页面")
        assert cookie(answer, "campaign_token") is None
    # The Referer fallback of a browser that sends no Origin.
    answer = web.post(
        "/signin/dev",
        data={**DEV_SIGN_IN, "csrf_token": token},
        headers={"referer": "http://testserver/signin"},
    )
    assert answer.status_code == 303 and cookie(answer, "campaign_token")


def test_a_pasted_token_sign_in_needs_the_form_token_too(
    web: TestClient, web_settings: Settings
) -> None:
    bearer = mint_token(
        web_settings,
        subject="intake@office-360102",
        role=Role.intake_officer,
        organisation="office-360102",
        region_code="360102",
    )
    refused = web.post("/signin", data={"token": bearer, "next": "/workbench"}, headers=OWN)
    assert_refused_page(refused, 403, "csrf_token")
    assert cookie(refused, "campaign_token") is None
    token = token_in(web.get("/signin").text)
    answer = web.post(
        "/signin", data={"token": bearer, "next": "/workbench", "csrf_token": token}, headers=OWN
    )
    assert answer.status_code == 303 and cookie(answer, "campaign_token")


def test_a_token_minted_for_another_browser_is_refused(web_settings: Settings) -> None:
    with browser(web_settings) as mine, browser(web_settings) as theirs:
        their_token = token_in(theirs.get("/signin").text)
        mine.get("/signin")
        answer = mine.post(
            "/signin/dev", data={**DEV_SIGN_IN, "csrf_token": their_token}, headers=OWN
        )
        assert_refused_page(answer, 403, "csrf_token")


def test_the_token_changes_with_the_session(web: TestClient) -> None:
    before = token_in(web.get("/signin").text)
    sign_in(web)
    stale = web.post("/signout", data={"csrf_token": before}, headers=OWN)
    assert_refused_page(stale, 403, "csrf_token")
    current = token_in(web.get("/workbench").text)
    assert current != before
    answer = web.post("/signout", data={"csrf_token": current}, headers=OWN)
    assert answer.status_code == 303
    assert (cookie(answer, "campaign_token") or "").startswith('campaign_token="";')


def test_unknown_role_on_dev_sign_in_is_a_bilingual_422(web: TestClient) -> None:
    token = token_in(web.get("/signin").text)
    for role in ("emperor", "public", ""):
        answer = web.post(
            "/signin/dev", data={**DEV_SIGN_IN, "role": role, "csrf_token": token}, headers=OWN
        )
        assert answer.status_code == 422
        assert "角色（role）无效" in answer.text and "is not a staff role" in answer.text
        assert cookie(answer, "campaign_token") is None


def test_the_api_proxy_needs_token_and_origin_unless_it_carries_a_bearer(
    web: TestClient,
) -> None:
    sign_in(web)
    token = token_in(web.get("/workbench").text)
    path = "/api/evaluation/meetings/meet-abc123/publish"
    missing = web.post(path, headers=OWN)
    assert missing.status_code == 403
    assert missing.json()["detail"]["code"] == "csrf_token"
    assert missing.json()["detail"]["message_zh"] and missing.json()["detail"]["message_en"]
    foreign = web.post(path, headers={**SIBLING, "x-csrf-token": token})
    assert foreign.status_code == 403 and foreign.json()["detail"]["field"] == "Origin"
    # Past the guard, the closed backend answers 502.
    assert web.post(path, headers={**OWN, "x-csrf-token": token}).status_code == 502
    assert web.post(path, headers={"authorization": "Bearer abc.def.ghi"}).status_code == 502
    # Credentials a browser may attach by itself are no exemption.
    basic = web.post(path, headers={**SIBLING, "authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 403


def test_bodies_over_the_limit_are_413(web: TestClient) -> None:
    token = token_in(web.get("/tip").text)
    big = "x" * (MAX_FORM_BYTES + 1)
    declared = web.post("/tip", data={"description": big, "csrf_token": token}, headers=OWN)
    assert_refused_page(declared, 413, "提交的内容过大", "too large")

    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&description=".encode()
        for _ in range(MAX_FORM_BYTES // 1024 + 1):
            yield b"y" * 1024

    streamed = web.post(
        "/tip",
        content=chunks(),
        headers={**OWN, "content-type": "application/x-www-form-urlencoded"},
    )
    assert_refused_page(streamed, 413, "too large")

    bearer = {"authorization": "Bearer abc.def.ghi", "content-type": "application/json"}
    path = "/api/evaluation/draws/verify"
    huge = web.post(path, content=b"[" + b"1," * (MAX_PROXY_BYTES // 2) + b"1]", headers=bearer)
    assert huge.status_code == 413 and huge.json()["detail"]["code"] == "body_too_large"
    fits = web.post(path, content=b"[" + b"1," * 1000 + b"1]", headers=bearer)
    assert fits.status_code == 502
    on_a_get = web.request("GET", "/api/reporting/x", content=b"z" * (MAX_PROXY_BYTES + 1))
    assert on_a_get.status_code == 413


def test_cookies_are_secure_over_https(web_settings: Settings) -> None:
    with browser(web_settings, base="https://testserver") as secure:
        form = secure.get("/signin")
        binding = cookie(form, "__Host-campaign_csrf")
        assert binding and "Secure" in binding and "Domain" not in binding
        assert cookie(form, "campaign_csrf") is None
        answer = secure.post(
            "/signin/dev",
            data={**DEV_SIGN_IN, "csrf_token": token_in(form.text)},
            headers={"origin": "https://testserver"},
        )
        assert answer.status_code == 303
        assert "Secure" in (cookie(answer, "campaign_token") or "")


def test_x_forwarded_proto_counts_from_a_trusted_proxy_only(web_settings: Settings) -> None:
    behind = web_settings.model_copy(update={"trusted_proxies": "10.0.0.2"})
    https = {"x-forwarded-proto": "https"}
    with browser(behind, peer=("10.0.0.2", 41000)) as proxied:
        form = proxied.get("/signin", headers=https)
        assert "Secure" in (cookie(form, "__Host-campaign_csrf") or "")
    with browser(behind, peer=("10.0.0.9", 41000)) as direct:
        form = direct.get("/signin", headers=https)
        assert cookie(form, "__Host-campaign_csrf") is None
        assert "Secure" not in (cookie(form, "campaign_csrf") or "Secure")


def test_configured_origins_replace_the_serving_origin(web_settings: Settings) -> None:
    public = web_settings.model_copy(update={"web_allowed_origins": "https://jx.gov.cn"})
    with browser(public) as client:
        token = token_in(client.get("/signin").text)
        data = {**DEV_SIGN_IN, "csrf_token": token}
        assert client.post("/signin/dev", data=data, headers=OWN).status_code == 403
        accepted = client.post("/signin/dev", data=data, headers={"origin": "https://jx.gov.cn"})
        assert accepted.status_code == 303


@pytest.mark.parametrize(
    "path",
    [
        "/workbench/tips/tip-1%00",
        "/workbench/tips/tip-1%0D%0AX-Injected:%201",
        "/workbench/tips/%2E%2E",
        "/workbench/items/item-1%00",
        "/workbench/cases/case-%0D",
        "/dashboard/agencies/ag-1%00",
    ],
)
def test_control_characters_in_path_ids_are_404_pages(web: TestClient, path: str) -> None:
    sign_in(web)
    answer = web.get(path)
    assert answer.status_code == 404
    assert "未找到该记录" in answer.text or "no such record" in answer.text


@pytest.mark.parametrize("path", ["tips/tip-1%00", "tips/%0D%0A", "tips/%2E%2E", "tips//x"])
def test_control_characters_in_proxy_paths_are_404(web: TestClient, path: str) -> None:
    answer = web.get(f"/api/intake/{path}")
    assert answer.status_code == 404
    assert answer.json()["detail"]["message_en"] == "no such address"
    assert web.get("/api/intake/tips/tip-1").status_code == 502


def test_a_number_that_is_not_one_is_a_422_naming_the_field(web: TestClient) -> None:
    sign_in(web)
    token = token_in(web.get("/workbench").text)
    answer = web.post(
        "/workbench/items/item-0a1b/progress",
        data={"percent": "四十", "note": "x", "csrf_token": token},
        headers=OWN,
    )
    assert_refused_page(answer, 422, "percent", "须为整数", "whole number")
    # A number goes on to the (closed) service.
    answer = web.post(
        "/workbench/items/item-0a1b/progress",
        data={"percent": "40", "note": "x", "csrf_token": token},
        headers=OWN,
    )
    assert answer.status_code == 303 and "flash" in (answer.headers.get("set-cookie") or "")


def test_unknown_paths_and_methods_are_bilingual(web: TestClient) -> None:
    missing = web.get("/no-such-page")
    assert_refused_page(missing, 404, "未找到该页面", "no such page")
    wrong = web.put("/tip", headers=OWN, data={"csrf_token": token_in(web.get("/tip").text)})
    assert_refused_page(wrong, 405, "请求方法", "request method")
    api = web.get("/api/nothing/here")
    assert api.status_code == 404 and api.json()["detail"]["message_zh"]
    assert web.get("/").status_code == 200


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"headers": dict(request.headers), "body": body.decode()})


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    server = LiveServer(
        Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "POST"])]), "echo"
    )
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_the_proxy_passes_the_body_on_and_keeps_private_headers_back(
    web_settings: Settings, echo: str
) -> None:
    app = build_app(web_settings, backend_urls={**CLOSED, "evaluation": echo})
    with TestClient(app, client=PEER, follow_redirects=False) as client:
        sign_in(client)
        token = token_in(client.get("/workbench").text)
        body = '{"note": "本站页面发出的调用"}'
        answer = client.post(
            "/api/evaluation/meetings/meet-abc123/pool/freeze",
            content=body.encode(),
            headers={
                **OWN,
                "x-csrf-token": token,
                "content-type": "application/json",
                "referer": "http://testserver/ballot/secret-ballot-token",
            },
        )
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        assert seen["body"] == body
        assert seen["headers"]["authorization"].startswith("Bearer ")
        assert seen["headers"]["x-forwarded-for"] == PEER[0]
        for private in ("cookie", "x-csrf-token", "referer", "origin"):
            assert private not in seen["headers"]
        refused = client.post(
            "/api/evaluation/meetings/meet-abc123/pool/freeze",
            content=body.encode(),
            headers={**OWN, "content-type": "application/json"},
        )
        assert refused.status_code == 403
