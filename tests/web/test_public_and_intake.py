"""In Chromium: a tip through the public form, its status by receipt code, an officer
triaging it, the English switch, and the public pages."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest

from tests.web.conftest import Stack, screenshot, sign_in

pytestmark = pytest.mark.kafka


def submit_tip(page: Any, description: str) -> str:
    page.goto("/tip")
    page.select_option("#region_code", "360102")
    page.fill("#agency_text", "东湖区城市管理局")
    page.select_option("#power", "penalty")
    page.fill("#description", description)
    page.fill("#occurred_on", date.today().isoformat())
    screenshot(page, "01-tip-form")
    page.click("form[action='/tip'] button[type=submit]")
    code = str(page.locator("[data-receipt-code]").inner_text()).strip()
    assert re.fullmatch(r"[A-Z0-9-]{12,20}", code), code
    assert "唯一凭证" in page.locator(".warning").inner_text()
    screenshot(page, "02-receipt")
    return code


def lookup(page: Any, code: str) -> str:
    page.goto("/lookup")
    page.fill("#receipt_code", code)
    page.click("form[action='/lookup'] button[type=submit]")
    return str(page.locator("[data-tip-status]").get_attribute("data-tip-status"))


def test_tip_found_by_receipt_code_then_triaged_by_an_officer(page: Any, web_stack: Stack) -> None:
    description = f"城管执法人员没收摊位货物且未出具任何凭证 {uuid.uuid4().hex[:8]}"
    code = submit_tip(page, description)

    assert lookup(page, code) == "received"
    assert (
        "已收到" in page.locator("[data-tip-status]").inner_text()
        or page.locator("[data-tip-status]").inner_text()
    )
    screenshot(page, "03-lookup")

    page.fill("#receipt_code", "ABCD-EFGH-JKMN-P")
    page.click("form[action='/lookup'] button[type=submit]")
    assert page.locator(".flash-error").count() == 1

    sign_in(page, "intake_officer", "360102", "office-360102")
    screenshot(page, "04-workbench")
    page.goto("/workbench/tips?status=received")
    # The queue shows no tip's text (it is sealed); ours is the newest received tip.
    assert description[-8:] not in page.content()
    page.locator("tr[data-tip-id]").last.locator("a").click()
    assert page.locator("[data-tip-status]").get_attribute("data-tip-status") == "received"
    assert description not in page.content()
    page.fill("#read-purpose", "受理前查看线索内容")
    page.click("form[data-read-text] button[type=submit]")
    assert page.locator("[data-tip-description]").inner_text() == description
    screenshot(page, "05-tip-detail")
    page.fill("#accept-note", "属实可能性大，受理")
    page.click("form[action$='/accept'] button[type=submit]")
    assert page.locator("[data-tip-status]").get_attribute("data-tip-status") == "accepted"
    assert page.locator(".flash-ok").count() == 1
    page.goto("/workbench/tips")
    screenshot(page, "06-intake-queue")

    assert lookup(page, code) == "accepted"


def test_english_switch_and_public_pages(page: Any, web_stack: Stack) -> None:
    page.goto("/?lang=en")
    assert page.locator("h1").inner_text() == "Jiangxi fair enforcement campaign"
    page.goto("/tip")  # the cookie keeps English
    assert page.locator("h1").inner_text() == "Report unfair enforcement"
    assert page.locator("label[for=description]").count() == 1
    screenshot(page, "07-tip-form-en")
    page.goto("/dashboard?region=360100")
    assert page.locator("h1").inner_text().startswith("Public figures")
    page.click(".lang-switch")
    assert "region=360100" in page.url and "lang=zh" in page.url
    assert page.locator("h1").inner_text().startswith("公开统计")
    assert page.locator("[data-region]").get_attribute("data-region") == "360100"
    page.goto("/?lang=zh")
    for path, name in (("/", "08-home"), ("/channels", "09-channels"), ("/cases", "10-cases")):
        page.goto(path)
        assert page.locator("h1").count() == 1
        screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/tip")
    screenshot(page, "11-tip-form-phone")
