"""The web app as deployed (no development mode, Keycloak as its identity provider) and
a person's way through Keycloak's real login page, shared by the OIDC tests."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from shared.settings import Settings
from tests.identity.keycloak import DEMO_PASSWORD, Keycloak

WEB_CLIENT = "campaign-web"
# The secret the launcher imports the realm with (deploy/keycloak/README.md).
WEB_SECRET = "campaign-web-local-development-secret"
PRODUCTION_SECRET = "oidc-web-test-secret-" + "k" * 40


def production(settings: Settings, keycloak: Keycloak, web_url: str, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "campaign_dev_mode": False,
            "web_dev_sign_in": False,
            "jwt_secret": PRODUCTION_SECRET,
            "oidc_issuer": keycloak.issuer,
            "oidc_web_client_id": WEB_CLIENT,
            "oidc_web_client_secret": WEB_SECRET,
            "campaign_web_url": web_url,
            **extra,
        }
    )


def allow_web_url(keycloak: Keycloak, web_url: str) -> None:
    """Registers ``web_url`` as a redirect URI base of the web client (the realm has the
    launcher's default, a test's web app runs on a free port)."""
    found = keycloak.admin("GET", f"/clients?clientId={WEB_CLIENT}").json()
    client = found[0]
    uris = set(client.get("redirectUris", [])) | {f"{web_url}/*"}
    client["redirectUris"] = sorted(uris)
    client["webOrigins"] = sorted(set(client.get("webOrigins", [])) | {web_url})
    updated = keycloak.admin("PUT", f"/clients/{client['id']}", client)
    assert updated.status_code == 204, updated.text


def login_form_action(page_html: str) -> str:
    found = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page_html)
    assert found, "not Keycloak's login page:\n" + page_html[:2000]
    return html.unescape(found.group(1))


class ProviderBrowser:
    """The provider's side of a browser. Keycloak marks its cookies Secure even over
    http, and browsers send them to 127.0.0.1 (a secure context) while httpx's cookie
    jar does not: this keeps them by hand."""

    def __init__(self) -> None:
        self.client = httpx.Client(timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = self.client.request(method, url, headers={"cookie": header}, **kwargs)
        for set_cookie in answer.headers.get_list("set-cookie"):
            pair, *attributes = set_cookie.split(";")
            name, _, value = pair.strip().partition("=")
            expired = any(a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes)
            if expired or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self.request("POST", url, data=data)


def provider_login(
    authorize_url: str, username: str, provider: ProviderBrowser | None = None
) -> str:
    """Logs in on Keycloak's login page (as a browser posts it) and returns the
    callback URL it redirects to, with the code and state."""
    client = provider or ProviderBrowser()
    form = client.get(authorize_url)
    assert form.status_code == 200, form.text
    answer = client.post(
        login_form_action(form.text),
        data={"username": username, "password": DEMO_PASSWORD, "credentialId": ""},
    )
    assert answer.status_code == 302, answer.text[:2000]
    return answer.headers["location"]


def set_enabled(keycloak: Keycloak, username: str, enabled: bool) -> None:
    user_id = keycloak.user_id(username)
    user = keycloak.admin("GET", f"/users/{user_id}").json()
    changed = keycloak.admin("PUT", f"/users/{user_id}", {**user, "enabled": enabled})
    assert changed.status_code == 204, changed.text
