"""In Chromium: an evaluation meeting run from the workbench, a ballot cast from its QR
link and a second cast refused, published results; a dashboard figure that moves after
new events, drill-down and CSV export; the officer pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from shared.actors import Role
from shared.auth import bearer_header
from shared.testing import wait_for
from tests.evaluation.directory_data import meeting_request, publish_directory
from tests.web.conftest import Stack, screenshot, sign_in

pytestmark = pytest.mark.kafka


def bearer(stack: Stack, role: Role, organisation: str, region: str) -> dict[str, str]:
    return bearer_header(stack.settings, role, organisation, region)


def schedule_meeting(stack: Stack) -> tuple[str, list[str]]:
    directory = publish_directory(stack.settings, strata={"a": 3, "b": 2})
    meeting_id = f"meet-web-{uuid.uuid4().hex[:8]}"
    body = meeting_request(
        meeting_id,
        directory,
        list(directory.agencies),
        representatives=3,
        reserve_size=1,
        reason_for_fewer="网页测试",
    )
    office = bearer(stack, Role.legal_office, "office-360100", "360100")
    url = f"{stack.urls['evaluation']}/meetings"
    wait_for(
        lambda: httpx.post(url, json=body, headers=office, timeout=10).status_code == 201,
        "the evaluation service to learn the test directory",
    )
    return meeting_id, list(directory.agencies)


def test_meeting_ballot_cast_once_from_the_qr_link(
    page: Any, browser: Any, web_stack: Stack
) -> None:
    meeting_id, agencies = schedule_meeting(web_stack)
    sign_in(page, "legal_office", "360100", "office-360100")
    page.goto(f"/workbench/meetings/{meeting_id}")
    screenshot(page, "20-meeting-scheduled")
    page.click("form[action$='/freeze'] button")
    page.fill("#randomness", "2017-02-06 体彩排列3 第17032期 5 2 8")
    page.fill("#randomness_source", "中国体育彩票")
    page.click("form[action$='/draw'] button")
    assert page.locator("[data-verification]").get_attribute("data-verification") == "True"
    assert page.locator("input[name=attendee]").count() == 3
    # Names are unsealed only by an explicit reading with a purpose, never on a view.
    assert page.locator("[data-representative-name]").count() == 0
    page.fill("#sheet-purpose", "会前电话通知代表")
    page.click("#sheet-read button")
    assert page.locator("[data-representative-name]").count() == 3
    assert page.locator("#sheet-read").count() == 0
    screenshot(page, "21-meeting-drawn")
    page.click("#checkin-submit")
    assert page.locator("[data-meeting-status]").get_attribute("data-meeting-status") == "attended"
    page.click("form[action$='/ballots'] button")
    links = page.locator("[data-ballot-link]")
    assert links.count() == 3
    assert page.locator(".slip svg").count() == 3
    ballot_url = str(links.first.get_attribute("href"))
    third_token = str(links.nth(2).get_attribute("href")).split("#", 1)[1]
    # The token rides in the fragment, which the browser never sends to a server.
    assert ballot_url.startswith(web_stack.web + "/ballot#")
    screenshot(page, "22-ballot-slips")

    page.goto(f"/workbench/meetings/{meeting_id}")  # stays open: its count is live
    assert page.locator("[data-live-count]").inner_text().strip() == "0"
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        first, second = phone.new_page(), phone.new_page()
        for opened in (first, second):
            opened.goto(ballot_url)
            opened.wait_for_selector("form.ballot")
            assert "#" not in opened.url and "/ballot" in opened.url
            assert opened.locator("fieldset").count() == len(agencies)
            for fieldset in opened.locator("fieldset").all():
                fieldset.locator("input[type=radio]").first.check()
        screenshot(first, "23-ballot")
        first.click("form.ballot button[type=submit]")
        assert first.locator("[data-ballot-outcome]").get_attribute("data-ballot-outcome") == (
            "accepted"
        )
        screenshot(first, "24-ballot-accepted")
        expect(page.locator("[data-live-count]")).to_have_text("1", timeout=15_000)
        second.click("form.ballot button[type=submit]")
        assert second.locator("[data-ballot-outcome]").get_attribute("data-ballot-outcome") == (
            "refused"
        )
        assert "已经使用" in second.locator("[data-ballot-outcome]").inner_text()
        screenshot(second, "25-ballot-refused")
        first.goto(ballot_url)
        first.wait_for_selector("[data-ballot-outcome]")
        assert "已经使用" in first.locator("[data-ballot-outcome]").inner_text()
        # The evaluation service's own slip link works the same way, on its own page.
        first.goto(f"{web_stack.urls['evaluation']}/ballots#{third_token}")
        first.wait_for_selector("#ballot:not([hidden]) fieldset")
        assert third_token not in first.url
        for fieldset in first.locator("#ballot fieldset").all():
            fieldset.locator("input[type=radio]").first.check()
        first.click("#ballot button[type=submit]")
        expect(first.locator("#result")).to_contain_text("选票已收到")
        first.goto("about:blank")  # a new link, not a jump within the same page
        first.goto(web_stack.web + "/ballot#not-a-real-token-000000")
        first.wait_for_selector("[data-ballot-outcome]")
        assert "未找到" in first.locator("[data-ballot-outcome]").inner_text()
    finally:
        phone.close()

    page.goto(f"/workbench/meetings/{meeting_id}")
    assert page.locator("[data-live-count]").inner_text().strip() == "2"
    page.click("form[action$='/close'] button")
    page.click("form[action$='/publish'] button")
    screenshot(page, "26-meeting-results")
    page.goto("/results")
    section = page.locator("section", has_text="南昌市政府第一会议室")
    assert section.count() >= 1
    # Two valid ballots are below the campaign's minimum: no figures, a bilingual notice.
    assert page.locator("[data-withheld]").count() >= len(agencies)
    assert "不予公布" in page.locator("main").inner_text()
    screenshot(page, "27-public-results")


def figure(page: Any, name: str) -> int:
    return int(page.locator(f"[data-figure='{name}']").inner_text())


def test_dashboard_figure_moves_after_new_events(page: Any, web_stack: Stack) -> None:
    auditor = bearer(web_stack, Role.auditor, "audit-360000", "360000")

    def tips_in_dongu() -> int:
        tips = httpx.get(
            f"{web_stack.urls['intake']}/tips?region_code=360102&limit=1",
            headers=auditor,
            timeout=10,
        )
        total: int = tips.json()["total"]
        return total

    sign_in(page, "auditor", "360000", "audit-360000")

    seen: list[tuple[int, int]] = []

    def caught_up() -> bool:
        page.goto("/dashboard?region=360102")
        seen.append((figure(page, "tips.total"), tips_in_dongu()))
        return seen[-1][0] == seen[-1][1]

    wait_for(caught_up, "the dashboard to count every earlier tip", seen=seen)
    before = seen[-1][0]
    tip = {
        "channel": "hotline",
        "region_code": "360102",
        "agency_text": "东湖区市场监督管理局",
        "description": "检查中索要好处费",
        "occurred_on": date.today().isoformat(),
    }
    created = httpx.post(f"{web_stack.urls['intake']}/tips", json=tip, timeout=15)
    assert created.status_code == 201, created.text

    def moved() -> bool:
        page.goto("/dashboard?region=360102")
        return figure(page, "tips.total") == before + 1

    wait_for(moved, "the dashboard to count the new tip")
    screenshot(page, "30-dashboard-county")

    report = page.request.get("/api/reporting/reports/summary?region_code=360102&format=pdf")
    assert report.status == 200, report.text()
    assert report.body().startswith(b"%PDF")
    anonymous = httpx.get(f"{web_stack.web}/api/reporting/reports/summary?region_code=360102")
    assert anonymous.status_code == 401

    page.fill("#as_of", "2030-01-01T00:00")
    page.click("form[action='/dashboard/audit'] button[type=submit]")
    assert page.locator("[data-identical]").get_attribute("data-identical") == "True"
    screenshot(page, "34-audit-replay")
    page.goto("/dashboard?region=360102")
    csv = page.request.get("/dashboard.csv?region=360102")
    assert csv.status == 200
    lines = csv.text().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("region_code,region_name,tips.total")
    assert lines[1].startswith("360102,")
    assert int(float(lines[1].split(",")[2])) == before + 1

    agency_link = page.locator("a[href^='/dashboard/agencies/']").first
    agency_id = str(agency_link.get_attribute("href")).rsplit("/", 1)[1]
    agency_link.click()
    assert page.locator("[data-agency]").get_attribute("data-agency") == agency_id
    screenshot(page, "33-dashboard-agency")

    page.goto("/dashboard")
    page.click("a[href='/dashboard?region=360100']")
    assert page.locator("[data-region]").get_attribute("data-region") == "360100"
    assert page.locator("svg.chart").count() >= 2
    screenshot(page, "31-dashboard-city")
    page.goto("/dashboard")
    screenshot(page, "32-dashboard-province")


def test_officer_pages_render(page: Any, web_stack: Stack) -> None:
    sign_in(page, "legal_office", "360000", "lo-360000")
    for path, name in (
        ("/workbench/items", "40-rectification"),
        ("/workbench/cases", "41-cases"),
        ("/workbench/meetings", "42-meetings"),
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert page.locator(".flash-error").count() == 0
        screenshot(page, name)
    page.context.clear_cookies()
    page.goto("/workbench/items")
    assert "/signin" in page.url
