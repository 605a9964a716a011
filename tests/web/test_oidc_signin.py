"""Officer sign-in through the real Keycloak (the launcher's, tests/identity) with the web
app in process (Starlette's test client, no services behind it), outside development
mode: authorization code + PKCE through Keycloak's own login page, the session kept on
the server, a refresh near expiry, a refused refresh (a disabled officer) ending the
session, RP-initiated sign-out, and the login-CSRF and paste refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from services.web.bootstrap import build_app
from services.web.config import BACKENDS
from services.web.sessions import SessionStore
from shared.settings import Settings
from tests.identity.conftest import keycloak  # noqa: F401  (the session's Keycloak)
from tests.identity.keycloak import Keycloak
from tests.web.oidc_helpers import (
    ProviderBrowser,
    allow_web_url,
    production,
    provider_login,
    set_enabled,
)
from tests.web.test_guard import cookie, token_in

pytestmark = [pytest.mark.slow]

WEB = "http://campaign-web.test"
OWN = {"origin": WEB}
CLOSED = {name: "http://127.0.0.1:1" for name in BACKENDS}
OFFICER = "intake.360102"


@pytest.fixture
def web_settings(settings: Settings, keycloak: Keycloak) -> Settings:  # noqa: F811
    allow_web_url(keycloak, WEB)
    return production(settings, keycloak, WEB)


def browser(settings: Settings) -> TestClient:
    return TestClient(
        build_app(settings, backend_urls=CLOSED), base_url=WEB, follow_redirects=False
    )


@pytest.fixture
def web(web_settings: Settings) -> Iterator[TestClient]:
    with browser(web_settings) as client:
        yield client


def start(web: TestClient) -> str:
    """Presses the sign-in button; the provider's authorization URL."""
    form = web.get("/signin?next=/intake")
    answer = web.post(
        "/signin/oidc", data={"next": "/intake", "csrf_token": token_in(form.text)}, headers=OWN
    )
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["location"]
    return location


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == WEB, url
    return f"{parts.path}?{parts.query}"


def sign_in(web: TestClient, username: str = OFFICER) -> httpx.Response:
    done: httpx.Response = web.get(callback_path(provider_login(start(web), username)))
    assert done.status_code == 200, done.text
    return done


def store_of(web: TestClient) -> SessionStore:
    store: SessionStore = web.app.state.sessions  # type: ignore[attr-defined]
    return store


def expire_access_token(web: TestClient) -> str:
    """Makes the stored access token look expired: the next request refreshes it."""
    session_id = web.cookies["campaign_token"]
    store = store_of(web)
    found = store.get(session_id)
    assert found is not None
    store.put(session_id, found.refreshed(found.access_token, time.time() - 1, "", ""))
    return found.access_token


def test_the_sign_in_page_offers_only_the_provider(web: TestClient) -> None:
    form = web.get("/signin")
    assert 'action="/signin/oidc"' in form.text
    assert 'action="/signin"' not in form.text and "/signin/dev" not in form.text
    policy = form.headers["content-security-policy"]
    assert f"form-action 'self' {urlsplit(web.app.state.settings.oidc_issuer).scheme}://" in policy  # type: ignore[attr-defined]


def test_authorization_request_uses_pkce_s256_and_a_state(web: TestClient) -> None:
    query = parse_qs(urlsplit(start(web)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["campaign-web"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{WEB}/signin/callback"]


def test_sign_in_through_the_login_page_starts_a_server_side_session(web: TestClient) -> None:
    done = sign_in(web)
    assert 'http-equiv="refresh" content="0;url=/intake"' in done.text
    session = cookie(done, "campaign_token")
    assert session and "HttpOnly" in session and "samesite=strict" in session.lower()
    session_id = web.cookies["campaign_token"]
    assert "." not in session_id and len(session_id) == 43  # an opaque id, not a JWT
    stored = store_of(web).get(session_id)
    assert stored and stored.refresh_token and stored.id_token
    assert stored.expires_at > time.time() + 200
    workbench = web.get("/workbench")
    assert workbench.status_code == 200 and "lo-360102" in workbench.text
    assert workbench.headers["cache-control"] == "no-store"


def test_a_callback_from_another_browser_is_refused(
    web: TestClient, web_settings: Settings
) -> None:
    # The attacker's own code and state, planted in the victim's browser (login CSRF).
    planted = callback_path(provider_login(start(web), OFFICER))
    with browser(web_settings) as victim:
        victim.get("/")
        answer = victim.get(planted)
        assert answer.status_code == 401
        assert "state" in answer.text and cookie(answer, "campaign_token") is None
    # Nor does the state count twice in the browser that started it.
    assert web.get(planted).status_code == 200
    assert web.get(planted).status_code == 401


def test_the_access_token_is_refreshed_near_its_expiry(web: TestClient) -> None:
    sign_in(web)
    before = expire_access_token(web)
    assert web.get("/workbench").status_code == 200
    after = store_of(web).get(web.cookies["campaign_token"])
    assert after and after.access_token != before and after.expires_at > time.time() + 200


def test_a_disabled_officer_is_sent_to_sign_in_at_the_next_refresh(
    web: TestClient,
    keycloak: Keycloak,  # noqa: F811
) -> None:
    sign_in(web, "intake.360702")
    session_id = web.cookies["campaign_token"]
    set_enabled(keycloak, "intake.360702", False)
    try:
        expire_access_token(web)
        answer = web.get("/workbench")
    finally:
        set_enabled(keycloak, "intake.360702", True)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    assert (cookie(answer, "campaign_token") or "").startswith("campaign_token=;")
    assert store_of(web).get(session_id) is None


def test_sign_out_ends_both_sessions(web: TestClient, keycloak: Keycloak) -> None:  # noqa: F811
    provider = ProviderBrowser()
    location = provider_login(start(web), OFFICER, provider)
    web.get(callback_path(location))
    session_id = web.cookies["campaign_token"]
    id_token = store_of(web).get(session_id).id_token  # type: ignore[union-attr]
    answer = web.post(
        "/signout", data={"csrf_token": token_in(web.get("/workbench").text)}, headers=OWN
    )
    assert answer.status_code == 303
    logout = urlsplit(answer.headers["location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}".startswith(keycloak.issuer)
    query = parse_qs(logout.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [f"{WEB}/"]
    assert store_of(web).get(session_id) is None
    assert web.get("/workbench").status_code == 303
    # The provider ends its session too and sends the browser back to the home page.
    back = provider.get(answer.headers["location"])
    assert back.status_code == 302 and back.headers["location"] == f"{WEB}/"
    again = provider.get(start(web))
    assert 'id="kc-form-login"' in again.text  # asked for the password again


def test_pasting_a_token_is_refused_outside_development_mode(
    web: TestClient,
    keycloak: Keycloak,  # noqa: F811
) -> None:
    token = keycloak.tokens(OFFICER)["access_token"]
    form = web.get("/signin")
    answer = web.post(
        "/signin", data={"token": token, "csrf_token": token_in(form.text)}, headers=OWN
    )
    assert answer.status_code == 403 and "development mode" in answer.text
    assert cookie(answer, "campaign_token") is None
