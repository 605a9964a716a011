"""In Chromium: pages on another origin of the same site (another port of 127.0.0.1, as a
sibling subdomain would be in production) auto-submit forms to the workbench, to the
``/api`` proxy and to both sign-in forms. Each is refused and changes nothing; the same
actions from the app's own pages still work."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from shared.actors import Role
from tests.web.conftest import LiveServer, Stack, screenshot, sign_in
from tests.web.test_meeting_and_dashboard import bearer, schedule_meeting

pytestmark = pytest.mark.kafka


class Attacker:
    """A site on another origin: serves the pages the test gives it, and can plant a
    cookie for its host, which the browser also sends to every other port of it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.planted: dict[str, str] = {}
        self.server = LiveServer(Starlette(routes=[Route("/{name}", self.serve)]), "attacker")

    async def serve(self, request: Request) -> Response:
        response: Response = HTMLResponse(self.pages.get(request.path_params["name"], ""))
        for name, value in self.planted.items():
            response.set_cookie(name, value, httponly=True, samesite="lax")
        return response

    def auto_submit(self, name: str, action: str, fields: dict[str, str]) -> str:
        inputs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in fields.items()
        )
        self.pages[name] = (
            f'<!doctype html><form id="f" method="post" action="{html.escape(action)}">'
            f"{inputs}</form><script>document.getElementById('f').submit()</script>"
        )
        return f"{self.server.url}/{name}"


@pytest.fixture(scope="module")
def attacker() -> Iterator[Attacker]:
    site = Attacker()
    site.server.start()
    try:
        yield site
    finally:
        site.server.stop()


def attack(page: Any, url: str, target: str) -> Any:
    """Open the attacker's page; return the response its form got from ``target``."""
    with page.expect_response(
        lambda r: r.url.startswith(target) and r.request.method == "POST"
    ) as hit:
        page.goto(url)
    response = hit.value
    page.wait_for_load_state()
    return response


def tip_status(stack: Stack, tip_id: str) -> str:
    officer = bearer(stack, Role.intake_officer, "office-360102", "360102")
    found = httpx.get(f"{stack.urls['intake']}/tips/{tip_id}", headers=officer, timeout=10)
    assert found.status_code == 200, found.text
    return str(found.json()["status"])


def meeting_status(stack: Stack, meeting_id: str) -> str:
    office = bearer(stack, Role.legal_office, "office-360100", "360100")
    url = f"{stack.urls['evaluation']}/meetings/{meeting_id}"
    found = httpx.get(url, headers=office, timeout=10)
    assert found.status_code == 200, found.text
    return str(found.json()["status"])


def test_a_foreign_page_cannot_act_in_the_workbench(
    page: Any, web_stack: Stack, attacker: Attacker
) -> None:
    tip = {
        "channel": "website",
        "region_code": "360102",
        "agency_text": "东湖区城市管理局",
        "description": f"执法人员未出示证件即查封店铺 {uuid.uuid4().hex[:8]}",
        "occurred_on": date.today().isoformat(),
    }
    created = httpx.post(f"{web_stack.urls['intake']}/tips", json=tip, timeout=15)
    assert created.status_code == 201, created.text
    tip_id = created.json()["tip_id"]
    sign_in(page, "intake_officer", "360102", "office-360102")
    accept = f"{web_stack.web}/workbench/tips/{tip_id}/accept"

    refused = attack(page, attacker.auto_submit("accept", accept, {"note": "伪造受理"}), accept)
    assert refused.status == 403
    assert "Origin" in page.locator("[data-refused]").inner_text()
    screenshot(page, "50-cross-origin-refused")
    # Even with a token copied from the officer's own page, another origin is refused.
    page.goto(f"/workbench/tips/{tip_id}")
    token = str(page.locator("form[action$='/accept'] input[name=csrf_token]").input_value())
    stolen = attacker.auto_submit("accept-token", accept, {"note": "伪造", "csrf_token": token})
    assert attack(page, stolen, accept).status == 403
    assert tip_status(web_stack, tip_id) == "received"

    page.goto(f"/workbench/tips/{tip_id}")
    page.fill("#accept-note", "本站页面受理")
    page.click("form[action$='/accept'] button[type=submit]")
    assert page.locator("[data-tip-status]").get_attribute("data-tip-status") == "accepted"
    assert tip_status(web_stack, tip_id) == "accepted"


def test_a_foreign_page_cannot_call_the_api_proxy(
    page: Any, web_stack: Stack, attacker: Attacker
) -> None:
    meeting_id, _ = schedule_meeting(web_stack)
    sign_in(page, "legal_office", "360100", "office-360100")
    for action in ("pool/freeze", "publish"):
        target = f"{web_stack.web}/api/evaluation/meetings/{meeting_id}/{action}"
        name = f"api-{action.replace('/', '-')}"
        refused = attack(page, attacker.auto_submit(name, target, {}), target)
        assert refused.status == 403
        assert refused.json()["detail"]["code"] == "foreign_origin"
    target = f"{web_stack.web}/workbench/meetings/{meeting_id}/freeze"
    assert attack(page, attacker.auto_submit("page-freeze", target, {}), target).status == 403
    assert meeting_status(web_stack, meeting_id) == "scheduled"

    # The app's own page calls the proxy with the token from its <meta> tag.
    page.goto(f"/workbench/meetings/{meeting_id}")
    call = """async ([url, withToken]) => {
        const token = document.querySelector("meta[name=csrf-token]").content;
        const headers = withToken ? {"X-CSRF-Token": token} : {};
        const r = await fetch(url, {method: "POST", headers, credentials: "same-origin"});
        return r.status;
    }"""
    freeze = f"/api/evaluation/meetings/{meeting_id}/pool/freeze"
    assert page.evaluate(call, [freeze, False]) == 403
    assert meeting_status(web_stack, meeting_id) == "scheduled"
    assert page.evaluate(call, [freeze, True]) == 200
    assert meeting_status(web_stack, meeting_id) == "pool_frozen"


def signed_in_cookie(page: Any) -> str | None:
    found = [c["value"] for c in page.context.cookies() if c["name"] == "campaign_token"]
    return found[0] if found else None


def test_a_foreign_page_cannot_sign_the_visitor_in(
    page: Any, web_stack: Stack, attacker: Attacker
) -> None:
    page.goto("/")  # the visitor has been here before: their pre-session cookie is set
    attackers_own = bearer(web_stack, Role.legal_office, "office-360100", "360100")
    pasted = attackers_own["Authorization"].removeprefix("Bearer ")
    signin, dev = f"{web_stack.web}/signin", f"{web_stack.web}/signin/dev"
    dev_fields = {"role": "legal_office", "region": "360100", "organisation": "evil"}
    for name, target, fields in (
        ("login", signin, {"token": pasted, "next": "/workbench"}),
        ("login-dev", dev, dev_fields),
    ):
        assert attack(page, attacker.auto_submit(name, target, fields), target).status == 403
        assert signed_in_cookie(page) is None

    # Cookie tossing: the attacker plants a pre-session value of its own on the shared
    # host and posts the token it obtained for that value. Only the Origin check stops it.
    planted = httpx.get(f"{web_stack.web}/signin", timeout=10)
    value = planted.cookies["campaign_csrf"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', planted.text)
    assert token
    attacker.planted["campaign_csrf"] = value
    try:
        tossed = attacker.auto_submit("login-toss", dev, {**dev_fields, "csrf_token": token[1]})
        assert attack(page, tossed, dev).status == 403
        assert "Origin" in page.locator("[data-refused]").inner_text()
        assert signed_in_cookie(page) is None
        # The same token from the app's origin would have passed: the cookie was planted.
        planted_cookies = [c for c in page.context.cookies() if c["name"] == "campaign_csrf"]
        assert [c["value"] for c in planted_cookies] == [value]
    finally:
        attacker.planted.clear()

    sign_in(page, "intake_officer", "360102", "office-360102")
    assert signed_in_cookie(page)
    assert page.locator(".who").count() == 1
