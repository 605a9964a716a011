"""In Chromium: a tip substantiated in the workbench becomes a rectification item the
agency reports on and the legal office verifies; a typical case is referred, its
acknowledgement recorded, and its exposure shows on the public page."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from shared.testing import wait_for
from tests.evaluation.directory_data import publish_directory
from tests.web.conftest import Stack, screenshot, sign_in

pytestmark = pytest.mark.kafka


def tip_about(stack: Stack, agency_id: str, description: str) -> str:
    body = {
        "channel": "letter",
        "region_code": "360102",
        "agency_id": agency_id,
        "description": description,
        "occurred_on": date.today().isoformat(),
    }

    def created() -> str | None:
        response = httpx.post(f"{stack.urls['intake']}/tips", json=body, timeout=10)
        return str(response.json()["tip_id"]) if response.status_code == 201 else None

    tip_id: str = wait_for(created, "intake to learn the test agency")
    return tip_id


def test_substantiated_tip_to_verified_item_and_exposed_case(page: Any, web_stack: Stack) -> None:
    directory = publish_directory(web_stack.settings, strata={"r": 1})
    agency_id = next(iter(directory.agencies))
    tip_id = tip_about(web_stack, agency_id, f"罚款不开票据 {uuid.uuid4().hex[:6]}")

    sign_in(page, "intake_officer", "360102", "office-360102")
    page.goto(f"/workbench/tips/{tip_id}")
    page.click("form[action$='/accept'] button[type=submit]")
    page.fill("#findings", "经调阅执法案卷，情况属实")
    page.select_option("#kind", "procedural:arbitrary_fine")
    page.select_option("#severity", "medium")
    page.fill("#summary", "罚款未开具财政票据")
    screenshot(page, "43-substantiate")
    page.click("form[action$='/substantiate'] button[type=submit]")
    assert page.locator("[data-tip-status]").get_attribute("data-tip-status") == "substantiated"

    sign_in(page, "legal_office", "360102", "lo-360102")

    def item_listed() -> bool:
        page.goto(f"/workbench/items?agency_id={agency_id}")
        return bool(page.locator("a", has_text="罚款未开具财政票据").count() == 1)

    wait_for(item_listed, "rectification to open an item for the problem")
    item_path = str(page.locator("a", has_text="罚款未开具财政票据").get_attribute("href"))
    screenshot(page, "44-items-with-one")

    sign_in(page, "agency_staff", "360102", agency_id)
    page.goto(item_path)
    page.fill("#percent", "60")
    page.fill("#pnote", "已退还多收款项，正在补开票据")
    page.click("form[action$='/progress'] button[type=submit]")
    assert page.locator(".flash-ok").count() == 1
    assert page.locator("progress").first.get_attribute("value") == "60"
    page.fill("#measures", "补开全部票据，建立票据台账")
    page.click("form[action$='/completion'] button[type=submit]")
    screenshot(page, "45-item-completed")

    sign_in(page, "legal_office", "360102", "lo-360102")
    page.goto(item_path)
    page.click("form[action$='/verification'] button[type=submit]")
    assert page.locator(".flash-ok").count() == 1
    assert "已销号" in page.locator(".facts").inner_text()
    screenshot(page, "46-item-verified")

    problem_id = item_path.rsplit("/", 1)[1].removeprefix("rect-")
    page.goto("/workbench/cases")
    page.select_option("#kind", "misconduct")
    page.select_option("#origin", "tip")
    page.fill("#title", "某执法局罚款不开票据案")
    page.fill("#summary", "执法人员罚款后不开具票据")
    page.fill("#problem_ids", problem_id)
    page.click("form[action='/workbench/cases'] button[type=submit]")
    page.wait_for_url("**/workbench/cases/case-*")
    page.fill("#receiving", "东湖区纪委")
    page.fill("#rreason", "涉嫌违纪")
    page.click("form[action$='/refer'] button[type=submit]")
    assert "未回复" in page.locator("table").inner_text()
    page.fill("#ref-1", "东纪函〔2017〕3号")
    page.click("form[action$='/acknowledge'] button[type=submit]")
    assert "已回复" in page.locator("table").inner_text()
    headline = f"典型案例：罚款不开票据 {uuid.uuid4().hex[:4]}"
    page.fill("#headline", headline)
    page.fill("#esummary", "当事人电话 13912345678 已核实，执法人员已被问责")
    page.click("form[action$='/expose'] button[type=submit]")
    screenshot(page, "47-case")

    page.goto("/cases")
    card = page.locator("article", has_text=headline)
    assert card.count() == 1
    assert "13912345678" not in card.inner_text()
    screenshot(page, "48-public-cases")
