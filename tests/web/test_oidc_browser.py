"""An officer in Debian's Chromium signs in through Keycloak's real login page (the
launcher's Keycloak, tests/identity), the four services and the web app on real ports
on the session's broker, all outside development mode: triaging a tip puts the
officer's role, office and region on ``intake.events``; sign-out ends the session for
good; an officer disabled in Keycloak is sent back to sign in at the next refresh."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from services.web.bootstrap import build_app as build_web_app
from services.web.config import BACKENDS
from services.web.sessions import SessionStore
from shared.events.intake import TipAccepted
from shared.settings import Settings
from shared.topics import INTAKE
from tests.identity.conftest import keycloak  # noqa: F401  (the session's Keycloak)
from tests.identity.keycloak import DEMO_PASSWORD, Keycloak
from tests.intake.helpers import events_of, wait_for
from tests.web.conftest import LiveServer, screenshot
from tests.web.oidc_helpers import allow_web_url, production, set_enabled
from tests.web.test_public_and_intake import submit_tip

pytestmark = [pytest.mark.slow, pytest.mark.kafka]


@dataclass
class OidcStack:
    settings: Settings
    web: str
    sessions: SessionStore


@pytest.fixture(scope="module")
def oidc_stack(
    broker_settings: Settings,
    keycloak: Keycloak,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[OidcStack]:
    # The redirect URIs' base is the origin each request was served on (no CAMPAIGN_WEB_URL).
    settings = production(
        broker_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("web-oidc")}),
        keycloak,
        "",
        intake_tip_limit="100000/day",
    )
    servers: list[LiveServer] = []
    urls: dict[str, str] = {}
    try:
        for service in BACKENDS:
            app = importlib.import_module(f"services.{service}.bootstrap").build_app(settings)
            server = LiveServer(app, f"{service}-oidc")
            server.start()
            servers.append(server)
            urls[service] = server.url
        web_app = build_web_app(settings, backend_urls=urls)
        web = LiveServer(web_app, "web-oidc")
        allow_web_url(keycloak, web.url)
        web.start()
        servers.append(web)
        yield OidcStack(settings, web.url, web_app.state.sessions)
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture
def officer_page(oidc_stack: OidcStack, browser: Any) -> Iterator[Any]:
    # The session's one Chromium (tests/web/conftest.py): a second sync Playwright in
    # the same thread would find the first one's loop running and refuse to start.
    context = browser.new_context(base_url=oidc_stack.web, locale="zh-CN")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def provider_sign_in(page: Any, username: str, target: str = "/workbench") -> None:
    page.goto(f"/signin?next={target}")
    page.click("#signin-provider")
    page.wait_for_selector("#kc-form-login")  # Keycloak's own login page
    screenshot(page, "oidc-01-keycloak-login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#kc-login")
    page.wait_for_url(f"**{target}")


def test_an_officer_signs_in_through_keycloak_and_triages_a_tip(
    officer_page: Any, oidc_stack: OidcStack
) -> None:
    page = officer_page
    description = f"城管执法人员罚款后不开具票据 {uuid.uuid4().hex[:8]}"
    submit_tip(page, description)
    provider_sign_in(page, "intake.360102")
    assert "lo-360102" in page.locator("body").inner_text()
    page.goto("/workbench/tips?status=received")
    page.locator("tr[data-tip-id]").last.locator("a").click()
    page.fill("#read-purpose", "受理前查看线索内容")
    page.click("form[data-read-text] button[type=submit]")
    assert page.locator("[data-tip-description]").inner_text() == description
    page.fill("#accept-note", "属实可能性大，受理")
    page.click("form[action$='/accept'] button[type=submit]")
    assert page.locator("[data-tip-status]").get_attribute("data-tip-status") == "accepted"
    screenshot(page, "oidc-02-accepted")
    tip_id = page.url.split("?")[0].split("/workbench/tips/")[1].split("/")[0]

    def accepted() -> Any:
        found = events_of(oidc_stack.settings, INTAKE, str(tip_id))
        return [e for e in found if e.type == TipAccepted.type_string()]

    event = wait_for(accepted, timeout=60)[-1]
    assert event.actor == "intake_officer:lo-360102:360102"

    # Sign-out ends the session here and at Keycloak; Back shows no signed-in page.
    page.click("form[action='/signout'] button[type=submit]")
    page.wait_for_url(f"{oidc_stack.web}/")
    assert page.locator("form[action='/signout']").count() == 0
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("form[action='/signout']").count() == 0
    page.goto("/workbench")
    page.wait_for_url("**/signin?next=/workbench")
    page.click("#signin-provider")
    page.wait_for_selector("#kc-form-login")  # the provider asks for the password again
    screenshot(page, "oidc-03-signed-out")


def test_a_disabled_officer_is_sent_to_sign_in_at_the_next_refresh(
    officer_page: Any,
    oidc_stack: OidcStack,
    keycloak: Keycloak,  # noqa: F811
) -> None:
    page = officer_page
    provider_sign_in(page, "intake.360702")
    session_id = next(c["value"] for c in page.context.cookies() if c["name"] == "campaign_token")
    set_enabled(keycloak, "intake.360702", False)
    try:
        stored = oidc_stack.sessions.get(session_id)
        assert stored is not None
        # The stored access token looks expired: the next page refreshes it.
        oidc_stack.sessions.put(session_id, stored.refreshed(stored.access_token, 0.0, "", ""))
        page.goto("/workbench")
        page.wait_for_url("**/signin?next=/workbench")
    finally:
        set_enabled(keycloak, "intake.360702", True)
    assert oidc_stack.sessions.get(session_id) is None
    screenshot(page, "oidc-04-disabled")
